#include "http/server.h"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/log.h"

namespace mr::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using Awaitable = asio::awaitable<void>;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

struct Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  bool idle = true;  // only read or written on the connection's strand
  std::string remote;
};

Request ToRequest(const bhttp::request<bhttp::string_body>& in, const std::string& remote) {
  Request r;
  r.method = std::string(in.method_string());
  r.target = std::string(in.target());
  size_t q = r.target.find('?');
  r.path = r.target.substr(0, q);
  if (q != std::string::npos) {
    r.query = ParseQuery(std::string_view(r.target).substr(q + 1));
  }
  for (const auto& f : in) {
    std::string name(f.name_string());
    auto [it, inserted] = r.headers.emplace(name, std::string(f.value()));
    if (!inserted) {
      it->second += ", ";
      it->second += f.value();
    }
  }
  r.body = in.body();
  r.remote_address = remote;
  return r;
}

bhttp::response<bhttp::string_body> ToBeast(Response&& in, unsigned version, bool keep_alive,
                                            bool head) {
  bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(in.status), version};
  out.set(bhttp::field::server, "miniredis");
  for (auto& [k, v] : in.headers) {
    out.set(k, v);
  }
  if (!head) {
    out.body() = std::move(in.body);
  }
  out.keep_alive(keep_alive);
  out.prepare_payload();
  return out;
}

std::string Describe(const tcp::endpoint& ep) {
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

}  // namespace

struct Server::Impl {
  ServerOptions opts;
  std::shared_ptr<const Router> router;
  log::Logger logger;
  asio::io_context ioc;
  std::unique_ptr<asio::thread_pool> workers;
  tcp::acceptor acceptor{ioc};
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::atomic<bool> stopped{false};
  std::atomic<size_t> active{0};
  uint16_t bound_port = 0;

  std::mutex conns_mu;
  uint64_t next_conn_id = 0;
  std::unordered_map<uint64_t, std::shared_ptr<Connection>> conns;

  Impl(ServerOptions o, std::shared_ptr<const Router> r)
      : opts(std::move(o)), router(std::move(r)), logger(opts.service.empty() ? "http" : opts.service) {}

  Awaitable Accept();
  Awaitable Serve(uint64_t id, std::shared_ptr<Connection> c);
  asio::awaitable<bool> ServeOne(Connection& c, beast::flat_buffer& buffer);
  Awaitable WriteError(Connection& c, int status, std::string_view message);
  Awaitable WriteTooLarge(Connection& c, boost::beast::http::request<
                                             boost::beast::http::string_body>& in);
  void CloseIdle();
  void CloseAll();
};

asio::awaitable<void> Server::Impl::Accept() {
  for (;;) {
    // A strand is only needed when several threads run the io_context; without one, every
    // handler dispatch is cheaper (measured: strand dispatch was the largest overhead of /healthz).
    asio::any_io_executor conn_exec = opts.io_threads > 1
                                     ? asio::any_io_executor(asio::make_strand(ioc))
                                     : asio::any_io_executor(ioc.get_executor());
    auto [ec, socket] = co_await acceptor.async_accept(conn_exec, kTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping) {
        co_return;
      }
      // EMFILE and friends: back off briefly instead of spinning.
      logger.Warn("accept failed", {}, {{"error", ec.message()}});
      asio::steady_timer t(ioc, std::chrono::milliseconds(50));
      co_await t.async_wait(kTuple);
      continue;
    }
    auto conn = std::make_shared<Connection>(std::move(socket));
    boost::system::error_code rec;
    auto ep = conn->stream.socket().remote_endpoint(rec);
    conn->remote = rec ? "" : ep.address().to_string();
    uint64_t id;
    {
      std::lock_guard lock(conns_mu);
      if (conns.size() >= opts.max_connections || stopping) {
        continue;  // dropping `conn` closes the socket
      }
      id = next_conn_id++;
      conns[id] = conn;
    }
    auto exec = conn->stream.get_executor();
    asio::co_spawn(exec, Serve(id, std::move(conn)), asio::detached);
  }
}

asio::awaitable<void> Server::Impl::Serve(uint64_t id, std::shared_ptr<Connection> c) {
  beast::flat_buffer buffer;
  while (!stopping && co_await ServeOne(*c, buffer)) {
  }
  boost::system::error_code ec;
  c->stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  c->stream.close();
  std::lock_guard lock(conns_mu);
  conns.erase(id);
}

asio::awaitable<void> Server::Impl::WriteError(Connection& c, int status, std::string_view message) {
  auto resp = ToBeast(JsonError(status, StatusCode(status), message, ""), 11, false, false);
  c.stream.expires_after(opts.write_timeout);
  co_await bhttp::async_write(c.stream, resp, kTuple);
}

// The headers arrived, the body is over the limit: answered through the middleware, so the 413
// carries a request id, is logged and counted, and gets the service's headers like any answer.
asio::awaitable<void> Server::Impl::WriteTooLarge(Connection& c,
                                                  bhttp::request<bhttp::string_body>& in) {
  in.body().clear();
  Request req = ToRequest(in, c.remote);
  req.route = "payload_too_large";  // the metrics label, like not_found
  const std::string message =
      "request body exceeds the limit of " + std::to_string(opts.max_body_bytes) + " bytes";
  Handler too_large = [&message](Request& r) {
    return JsonError(413, "payload_too_large", message, r.request_id);
  };
  Router::Match match;
  match.handler = &too_large;
  auto resp = ToBeast(router->Handle(req, match), in.version(), false, false);
  c.stream.expires_after(opts.write_timeout);
  co_await bhttp::async_write(c.stream, resp, kTuple);
}

// Reads, handles and answers one request; false when the connection should close.
asio::awaitable<bool> Server::Impl::ServeOne(Connection& c, beast::flat_buffer& buffer) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<uint32_t>(opts.max_header_bytes));
  parser.body_limit(opts.max_body_bytes);
  c.idle = true;
  c.stream.expires_after(opts.read_timeout);
  auto [ec, n] = co_await bhttp::async_read_header(c.stream, buffer, parser, kTuple);
  c.idle = false;
  if (!ec && parser.get()[bhttp::field::expect] == "100-continue") {
    bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, 11};
    std::tie(ec, n) = co_await bhttp::async_write(c.stream, cont, kTuple);
  }
  if (!ec && !parser.is_done()) {
    std::tie(ec, n) = co_await bhttp::async_read(c.stream, buffer, parser, kTuple);
  }
  if (ec) {
    if (ec == bhttp::error::body_limit) {
      co_await WriteTooLarge(c, parser.get());
    } else if (ec == bhttp::error::header_limit) {
      co_await WriteError(c, 431, "request headers are too large");
    } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
               ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      co_await WriteError(c, 400, "malformed HTTP request: " + ec.message());
    }
    co_return false;  // EOF, timeout, reset or cancellation: just close
  }
  ++active;
  auto& in = parser.get();
  Request req = ToRequest(in, c.remote);
  Response resp;
  auto match = router->Find(&req);
  if (match.handler == nullptr || match.options.inline_handler) {
    resp = router->Handle(req, match);
  } else {
    auto conn_exec = c.stream.get_executor();
    co_await asio::post(workers->get_executor(), asio::use_awaitable);
    resp = router->Handle(req, match);
    co_await asio::post(conn_exec, asio::use_awaitable);
  }
  bool keep = in.keep_alive() && !stopping;
  auto out = ToBeast(std::move(resp), in.version(), keep, in.method() == bhttp::verb::head);
  c.stream.expires_after(opts.write_timeout);
  auto [wec, wn] = co_await bhttp::async_write(c.stream, out, kTuple);
  --active;
  co_return !wec && keep;
}

void Server::Impl::CloseIdle() {
  std::lock_guard lock(conns_mu);
  for (auto& entry : conns) {
    // A named copy, not a structured binding: lambdas may not capture those before C++23/clang 16.
    std::shared_ptr<Connection> conn = entry.second;
    asio::post(conn->stream.get_executor(), [conn] {
      if (conn->idle) {
        boost::system::error_code ec;  // the connection may have closed meanwhile
        conn->stream.socket().cancel(ec);
      }
    });
  }
}

void Server::Impl::CloseAll() {
  std::lock_guard lock(conns_mu);
  for (auto& entry : conns) {
    std::shared_ptr<Connection> conn = entry.second;
    asio::post(conn->stream.get_executor(), [conn] {
      boost::system::error_code ec;
      conn->stream.socket().cancel(ec);
    });
  }
}

Server::Server(ServerOptions options, std::shared_ptr<const Router> router)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(router))) {}

Server::~Server() { Stop(std::chrono::milliseconds(0)); }

Status Server::Start() {
  auto& o = impl_->opts;
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(o.bind_address, ec);
  std::string where = o.bind_address + ":" + std::to_string(o.port);
  if (ec) {
    return Status::Error(o.service + ": invalid bind address '" + o.bind_address + "'");
  }
  tcp::endpoint ep(addr, o.port);
  auto& acc = impl_->acceptor;
  acc.open(ep.protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(ep, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Error(o.service + ": cannot listen on " + where + ": " + ec.message());
  }
  impl_->bound_port = acc.local_endpoint().port();
  impl_->workers = std::make_unique<asio::thread_pool>(std::max(1, o.workers));
  asio::co_spawn(impl_->ioc, impl_->Accept(), asio::detached);
  for (int i = 0; i < std::max(1, o.io_threads); ++i) {
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  }
  impl_->logger.Info("listening", {}, {{"address", Describe(acc.local_endpoint())}});
  return Status::Ok();
}

uint16_t Server::port() const { return impl_->bound_port; }
size_t Server::active_requests() const { return impl_->active; }
size_t Server::open_connections() const {
  std::lock_guard lock(impl_->conns_mu);
  return impl_->conns.size();
}

void Server::Stop(std::chrono::milliseconds grace) {
  if (impl_->stopped.exchange(true)) {
    return;
  }
  impl_->stopping = true;
  asio::post(impl_->ioc, [this] {
    boost::system::error_code ec;
    impl_->acceptor.close(ec);
  });
  impl_->CloseIdle();
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (impl_->active > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // Connections that were mid-read when CloseIdle ran, or requests past the grace period.
  impl_->CloseAll();
  auto settle = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
  while (open_connections() > 0 && std::chrono::steady_clock::now() < settle) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  impl_->ioc.stop();
  for (auto& t : impl_->threads) {
    t.join();
  }
  impl_->threads.clear();
  // The close posted above may not have run before ioc.stop(); without this a stopped server's
  // port keeps completing handshakes into the backlog (clients hang) until it is destroyed.
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
  if (impl_->workers) {
    impl_->workers->join();
  }
}

}  // namespace mr::http
