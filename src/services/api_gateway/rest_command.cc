#include "services/api_gateway/rest_command.h"

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>

namespace mr::services::gateway {
namespace json = boost::json;
namespace {

using boost::system::error_code;

// A SAX handler that builds commands straight from the body: numbers keep their source text
// (a DOM would have turned 1.50 into a double), and a pipeline over the limit stops the parse
// at its first extra command instead of after allocating all of them.
class CommandsHandler {
 public:
  static constexpr size_t max_object_size = size_t(-1);
  static constexpr size_t max_array_size = size_t(-1);
  static constexpr size_t max_key_size = size_t(-1);
  static constexpr size_t max_string_size = size_t(-1);

  CommandsHandler(bool batch, size_t max, std::vector<RestCommand>* out)
      : command_depth_(batch ? 2 : 1), max_(max), out_(out) {}

  std::string error;

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code& ec) {
    return Fail(ec, "ERR JSON objects are not command arguments (send them as strings)");
  }
  bool on_object_end(size_t, error_code&) { return true; }
  bool on_array_begin(error_code& ec) {
    ++depth_;
    if (depth_ > command_depth_) {
      return Fail(ec, "ERR nested arrays are not command arguments");
    }
    if (depth_ == command_depth_) {
      if (out_->size() >= max_) {
        return Fail(ec, "ERR too many commands: at most " + std::to_string(max_) +
                            " per request");
      }
      out_->emplace_back();
    }
    return true;
  }
  bool on_array_end(size_t, error_code& ec) {
    if (depth_-- == command_depth_ && out_->back().empty()) {
      return Fail(ec, "ERR empty command");
    }
    return true;
  }
  bool on_key_part(json::string_view, size_t, error_code&) { return true; }
  bool on_key(json::string_view, size_t, error_code&) { return true; }
  bool on_string_part(json::string_view s, size_t, error_code&) {
    part_.append(s.data(), s.size());
    return true;
  }
  bool on_string(json::string_view s, size_t, error_code& ec) { return Argument(s, ec); }
  bool on_number_part(json::string_view s, error_code&) {
    part_.append(s.data(), s.size());
    return true;
  }
  bool on_int64(int64_t, json::string_view s, error_code& ec) { return Argument(s, ec); }
  bool on_uint64(uint64_t, json::string_view s, error_code& ec) { return Argument(s, ec); }
  bool on_double(double, json::string_view s, error_code& ec) { return Argument(s, ec); }
  bool on_bool(bool b, error_code& ec) { return Argument(b ? "true" : "false", ec); }
  bool on_null(error_code& ec) { return Fail(ec, "ERR null is not a command argument"); }
  bool on_comment_part(json::string_view, error_code&) { return true; }
  bool on_comment(json::string_view, error_code&) { return true; }

 private:
  bool Argument(json::string_view last, error_code& ec) {
    if (depth_ != command_depth_) {
      return Fail(ec, depth_ == 0 ? "ERR the body must be a JSON array"
                                  : "ERR each command must be an array of arguments");
    }
    part_.append(last.data(), last.size());
    out_->back().push_back(std::move(part_));
    part_.clear();
    return true;
  }
  bool Fail(error_code& ec, std::string message) {
    error = std::move(message);
    ec = json::make_error_code(json::error::syntax);
    return false;
  }

  int depth_ = 0;
  const int command_depth_;
  const size_t max_;
  std::vector<RestCommand>* out_;
  std::string part_;
};

std::string Parse(std::string_view body, bool batch, size_t max, std::vector<RestCommand>* out) {
  json::parse_options opts;
  opts.allow_invalid_utf8 = true;  // values are bytes; Redis does not require UTF-8
  opts.max_depth = 4;
  json::basic_parser<CommandsHandler> parser(opts, batch, max, out);
  error_code ec;
  size_t used = parser.write_some(false, body.data(), body.size(), ec);
  if (!parser.handler().error.empty()) {
    return parser.handler().error;
  }
  if (!ec && used != body.size()) {
    ec = json::make_error_code(json::error::extra_data);
  }
  if (ec) {
    return "ERR the body is not valid JSON (" + ec.message() + ")";
  }
  if (out->empty()) {
    return batch ? "ERR the body must be a non-empty JSON array of commands"
                 : "ERR the body must be a JSON array";
  }
  return "";
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding as in a path: '+' is a plus sign, not a space.
std::string Decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && Hex(s[i + 1]) >= 0 && Hex(s[i + 2]) >= 0) {
      out += static_cast<char>(Hex(s[i + 1]) * 16 + Hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

template <typename F>
void ForEachPart(std::string_view s, char sep, F&& fn) {
  while (!s.empty()) {
    size_t end = s.find(sep);
    std::string_view part = s.substr(0, end);
    if (!part.empty()) {
      fn(part);
    }
    if (end == std::string_view::npos) {
      break;
    }
    s.remove_prefix(end + 1);
  }
}

}  // namespace

std::string ParseRestCommand(std::string_view body, RestCommand* out) {
  std::vector<RestCommand> commands;
  std::string error = Parse(body, false, 1, &commands);
  if (error.empty()) {
    *out = std::move(commands.front());
  }
  return error;
}

std::string ParseRestBatch(std::string_view body, size_t max, std::vector<RestCommand>* out) {
  return Parse(body, true, max, out);
}

RestCommand PathCommand(std::string_view tail, std::string_view raw_query, std::string_view body) {
  RestCommand out;
  ForEachPart(tail, '/', [&](std::string_view seg) { out.push_back(Decode(seg)); });
  if (!body.empty()) {
    out.emplace_back(body);
  }
  ForEachPart(raw_query, '&', [&](std::string_view param) {
    size_t eq = param.find('=');
    std::string name = Decode(param.substr(0, eq));
    if (name == "_token") {
      return;
    }
    out.push_back(std::move(name));
    if (eq != std::string_view::npos) {
      out.push_back(Decode(param.substr(eq + 1)));
    }
  });
  return out;
}

std::string QueryToken(std::string_view raw_query) {
  std::string token;
  ForEachPart(raw_query, '&', [&](std::string_view param) {
    if (param.starts_with("_token=")) {
      token = Decode(param.substr(7));
    }
  });
  return token;
}

std::string ExecBody(const std::vector<RestCommand>& commands, bool transaction, bool base64) {
  json::array list;
  list.reserve(commands.size());
  for (const RestCommand& c : commands) {
    json::array args;
    args.reserve(c.size());
    for (const std::string& a : c) {
      args.emplace_back(a);
    }
    list.push_back(std::move(args));
  }
  return json::serialize(json::object{{"commands", std::move(list)},
                                      {"transaction", transaction},
                                      {"encoding", base64 ? "base64" : "none"}});
}

std::string ErrorBody(std::string_view message) {
  return json::serialize(json::object{{"error", message}});
}

bool UpstashAnswer(std::string_view exec_answer, RestShape shape, RestAnswer* out) {
  json::parse_options opts;
  opts.allow_invalid_utf8 = true;  // without base64, values are whatever bytes the keys hold
  error_code ec;
  json::value v = json::parse(exec_answer, ec, {}, opts);
  const json::value* results =
      ec || !v.is_object() ? nullptr : v.as_object().if_contains("results");
  if (results == nullptr || !results->is_array()) {
    return false;
  }
  const json::array& items = results->as_array();
  for (const json::value& item : items) {
    if (!item.is_object() || (!item.as_object().contains("result") &&
                              !item.as_object().contains("error"))) {
      return false;
    }
  }
  const json::value* aborted = v.as_object().if_contains("aborted");
  if (shape == RestShape::kTransaction && aborted != nullptr && aborted->is_bool() &&
      aborted->as_bool()) {
    // The reason is the command that failed to queue; the others only say EXECABORT.
    std::string why;
    for (const json::value& item : items) {
      const json::value* e = item.as_object().if_contains("error");
      if (e != nullptr && e->is_string() && !e->as_string().starts_with("EXECABORT")) {
        why = e->as_string();
        break;
      }
    }
    std::string message = "EXECABORT Transaction discarded because of previous errors.";
    if (!why.empty()) {
      message.pop_back();
      message += ": " + why;
    }
    *out = {400, ErrorBody(message)};
    return true;
  }
  if (shape != RestShape::kSingle) {
    *out = {200, json::serialize(items)};
    return true;
  }
  if (items.size() != 1) {
    return false;
  }
  *out = {items[0].as_object().contains("error") ? 400 : 200, json::serialize(items[0])};
  return true;
}

}  // namespace mr::services::gateway
