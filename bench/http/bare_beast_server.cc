// The benchmark's baseline: the smallest reasonable Beast + coroutine HTTP server answering
// /healthz, so the HTTP layer's overhead (router, middleware, metrics, logging) is measured against
// the same library on the same machine.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstdlib>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

asio::awaitable<void> Serve(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> req;
    auto [ec, n] = co_await http::async_read(stream, buffer, req, kTuple);
    if (ec) {
      break;
    }
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    res.body() = R"({"status":"ok"})";
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    auto [wec, wn] = co_await http::async_write(stream, res, kTuple);
    if (wec || !req.keep_alive()) {
      break;
    }
  }
}

asio::awaitable<void> Listen(tcp::acceptor& acceptor) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(kTuple);
    if (!ec) {
      asio::co_spawn(acceptor.get_executor(), Serve(std::move(socket)), asio::detached);
    }
  }
}

int main(int argc, char** argv) {
  unsigned short port = argc > 1 ? static_cast<unsigned short>(std::atoi(argv[1])) : 18080;
  asio::io_context ioc(1);
  tcp::acceptor acceptor(ioc, {asio::ip::make_address("127.0.0.1"), port});
  std::printf("bare beast server on %u\n", port);
  std::fflush(stdout);
  asio::co_spawn(ioc, Listen(acceptor), asio::detached);
  ioc.run();
}
