#include "sql/connection_string.h"

#include "sql/database.h"

#include <gtest/gtest.h>

namespace mr::sql {
namespace {

TEST(ConnectionStringTest, SqliteAbsoluteUrl) {
  auto t = ParseConnectionString("sqlite:///var/lib/mr/auth.db", "/data");
  ASSERT_TRUE(t.ok()) << t.error();
  EXPECT_EQ(t->engine, Engine::kSqlite);
  EXPECT_EQ(t->sqlite_path, "/var/lib/mr/auth.db");
}

TEST(ConnectionStringTest, SqliteRelativeResolvesUnderDataDir) {
  auto t = ParseConnectionString("sqlite:auth.db", "/data");
  ASSERT_TRUE(t.ok()) << t.error();
  EXPECT_EQ(t->sqlite_path, "/data/auth.db");
  auto sub = ParseConnectionString("sqlite:db/../main.db", "./data");
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(sub->sqlite_path, "data/main.db");
}

TEST(ConnectionStringTest, BarePaths) {
  auto abs = ParseConnectionString("/srv/x.db", "/data");
  ASSERT_TRUE(abs.ok());
  EXPECT_EQ(abs->sqlite_path, "/srv/x.db");
  auto rel = ParseConnectionString("x.db", "/data");
  ASSERT_TRUE(rel.ok());
  EXPECT_EQ(rel->sqlite_path, "/data/x.db");
}

TEST(ConnectionStringTest, PostgresUrlIsKeptAsIs) {
  for (std::string url : {"postgresql://u:p@db:5432/auth?sslmode=require", "postgres://db/main"}) {
    auto t = ParseConnectionString(url, "/data");
    ASSERT_TRUE(t.ok()) << t.error();
    EXPECT_EQ(t->engine, Engine::kPostgres);
    EXPECT_EQ(t->postgres_conninfo, url);
  }
}

TEST(ConnectionStringTest, RejectsUnknownSchemeWithoutLeakingPassword) {
  auto t = ParseConnectionString("mysql://root:hunter2@db/x", "/data");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.kind(), ErrorKind::kInvalid);
  EXPECT_NE(t.error().find("mysql"), std::string::npos);
  EXPECT_EQ(t.error().find("hunter2"), std::string::npos);
  EXPECT_FALSE(ParseConnectionString("", "/data").ok());
  EXPECT_FALSE(ParseConnectionString("sqlite://relative.db", "/data").ok());
  EXPECT_FALSE(ParseConnectionString("sqlite:", "/data").ok());
}

TEST(OptionsTest, FromServiceSettings) {
  Config config({{"DATA_DIR", "/data"}, {"HTTP_WORKERS", "6"}, {"AUTH_DATABASE_URL", ""}});
  Options o = OptionsFromConfig(config, "AUTH_DATABASE_URL", "auth.db", "auth");
  EXPECT_EQ(o.url, "sqlite:auth.db");
  EXPECT_EQ(o.data_dir, "/data");
  EXPECT_EQ(o.pool_size, 6u);
  EXPECT_EQ(o.name, "auth");
  config.Set("AUTH_DATABASE_URL", "postgresql://a:b@db/auth");
  EXPECT_EQ(OptionsFromConfig(config, "AUTH_DATABASE_URL", "auth.db", "auth").url,
            "postgresql://a:b@db/auth");
}

TEST(RedactTest, MasksUserinfoPassword) {
  EXPECT_EQ(Redact("postgresql://app:s3cr3t@db:5432/auth"), "postgresql://app:***@db:5432/auth");
  EXPECT_EQ(Redact("postgresql://app:p@ss@db/auth"), "postgresql://app:***@db/auth");
  EXPECT_EQ(Redact("postgresql://app@db/auth"), "postgresql://app@db/auth");
  EXPECT_EQ(Redact("postgresql://db/auth"), "postgresql://db/auth");
}

TEST(RedactTest, MasksPasswordParameters) {
  EXPECT_EQ(Redact("postgresql://db/auth?user=a&password=xyz&sslmode=require"),
            "postgresql://db/auth?user=a&password=***&sslmode=require");
  EXPECT_EQ(Redact("host=db password=xyz dbname=a"), "host=db password=*** dbname=a");
  EXPECT_EQ(Redact("host=db password='x y' dbname=a"), "host=db password=*** dbname=a");
  EXPECT_EQ(Redact("sqlite:auth.db"), "sqlite:auth.db");
}

}  // namespace
}  // namespace mr::sql
