/** "used of limit" with a bar; turns amber above 75 % and red above 90 %. */
export function UsageBar({
  used,
  limit,
  label,
  format = String,
}: {
  used: number | null;
  limit: number | null;
  label: string;
  format?: (n: number) => string;
}) {
  const known = used !== null && limit !== null && limit > 0;
  const pct = known ? Math.min(100, (used / limit) * 100) : 0;
  const level = pct > 90 ? "high" : pct > 75 ? "mid" : "low";
  const text = known ? `${format(used)} of ${format(limit)}` : limit !== null ? `— of ${format(limit)}` : "—";
  return (
    <div className="usage">
      <div className="usage-text small">
        <span className="sr-only">{label}: </span>
        {text}
      </div>
      <div
        className={`usage-bar usage-${level}`}
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={limit ?? 0}
        aria-valuenow={used ?? 0}
        aria-valuetext={text}
      >
        <div style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}
