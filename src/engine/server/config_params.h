// CONFIG GET/SET over an instance's own parameters (maxmemory, policy, encodings); server-wide
// parameters are reported read-only or refused.
#pragma once

#include "engine/server/command_context.h"

namespace mr::engine {

void ConfigGet(CommandContext& c, CmdArgs patterns);
void ConfigSet(CommandContext& c, CmdArgs pairs);  // name value [name value ...]
/// Parses Redis memory units (1gb, 100mb, 512k ...).
bool ParseMemory(std::string_view s, int64_t* out);

}  // namespace mr::engine
