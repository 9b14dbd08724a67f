// Sorted-set helpers shared by zset_family.cc (single-key commands, ranges) and
// zset_algebra.cc (ZUNION/ZINTER/ZDIFF and their STORE forms, pops, blocking pops).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "engine/core/zset_type.h"
#include "engine/server/command_context.h"

namespace mr::engine {

using ScoredMembers = std::vector<std::pair<std::string, double>>;

inline ZSetObject* ZObj(Entry* e) { return e->obj<ZSetObject>(); }
OpResult<Entry*> FindZSet(CommandContext& c, std::string_view key, bool read = true);
// Replaces dst with the given members (deletes it when empty). Returns the new size.
size_t StoreZSet(CommandContext& c, std::string_view dst, const ScoredMembers& members);
// Member/score pairs: RESP2 flat array, RESP3 array of pairs.
void ReplyScored(CommandContext& c, const ScoredMembers& m, bool with_scores);

void CmdZUnion(CmdArgs a, CommandContext& c);
void CmdZInter(CmdArgs a, CommandContext& c);
void CmdZDiff(CmdArgs a, CommandContext& c);
void CmdZUnionStore(CmdArgs a, CommandContext& c);
void CmdZInterStore(CmdArgs a, CommandContext& c);
void CmdZDiffStore(CmdArgs a, CommandContext& c);
void CmdZInterCard(CmdArgs a, CommandContext& c);
void CmdZPopMin(CmdArgs a, CommandContext& c);
void CmdZPopMax(CmdArgs a, CommandContext& c);
void CmdBZPopMin(CmdArgs a, CommandContext& c);
void CmdBZPopMax(CmdArgs a, CommandContext& c);
void CmdZMPop(CmdArgs a, CommandContext& c);
void CmdBZMPop(CmdArgs a, CommandContext& c);

}  // namespace mr::engine
