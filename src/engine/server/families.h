// Every command family registers here, explicitly (no static self-registration).
#pragma once

namespace mr::engine {

class CommandRegistry;

void RegisterKeysFamily(CommandRegistry* r);
void RegisterStringFamily(CommandRegistry* r);
void RegisterServerFamily(CommandRegistry* r);
void RegisterConnectionFamily(CommandRegistry* r);
void RegisterBitopsFamily(CommandRegistry* r);
void RegisterHashFamily(CommandRegistry* r);
void RegisterSetFamily(CommandRegistry* r);
void RegisterListFamily(CommandRegistry* r);
void RegisterZSetFamily(CommandRegistry* r);
void RegisterTransactionFamily(CommandRegistry* r);
void RegisterHllFamily(CommandRegistry* r);
void RegisterSortFamily(CommandRegistry* r);
void RegisterPubSubFamily(CommandRegistry* r);
void RegisterSlowlogFamily(CommandRegistry* r);
void RegisterPersistenceFamily(CommandRegistry* r);
void RegisterDumpFamily(CommandRegistry* r);
void RegisterGeoFamily(CommandRegistry* r);
void RegisterBitfieldFamily(CommandRegistry* r);
void RegisterScriptFamily(CommandRegistry* r);

}  // namespace mr::engine
