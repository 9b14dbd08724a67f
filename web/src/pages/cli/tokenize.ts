// Splits a command line the way redis-cli does (sdssplitargs): spaces separate arguments; "double
// quotes" take the escapes \n \r \t \b \a \\ \" and \xHH; 'single quotes' only \'; a closing quote
// must end the argument. An unbalanced quote is an error, as in redis-cli.

export type Tokenized = { ok: true; args: string[] } | { ok: false; error: string };

const INVALID = "Invalid argument(s)";
const isSpace = (c: string | undefined) => c === " " || c === "\n" || c === "\r" || c === "\t" || c === "\v" || c === "\f";
const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);

export function tokenize(line: string): Tokenized {
  const args: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && isSpace(line[i])) i++;
    if (i >= n) return { ok: true, args };
    let cur = "";
    let inDouble = false;
    let inSingle = false;
    let done = false;
    while (!done) {
      const c = line[i];
      if (inDouble) {
        if (c === undefined) return { ok: false, error: `${INVALID}: unbalanced double quote` };
        if (c === "\\" && line[i + 1] === "x" && isHex(line[i + 2]) && isHex(line[i + 3])) {
          cur += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (c === "\\" && i + 1 < n) {
          const e = line[++i]!;
          cur += e === "n" ? "\n" : e === "r" ? "\r" : e === "t" ? "\t" : e === "b" ? "\b" : e === "a" ? "\x07" : e;
        } else if (c === '"') {
          if (i + 1 < n && !isSpace(line[i + 1])) {
            return { ok: false, error: `${INVALID}: a closing quote must be followed by a space` };
          }
          done = true;
        } else {
          cur += c;
        }
      } else if (inSingle) {
        if (c === undefined) return { ok: false, error: `${INVALID}: unbalanced single quote` };
        if (c === "\\" && line[i + 1] === "'") {
          cur += "'";
          i++;
        } else if (c === "'") {
          if (i + 1 < n && !isSpace(line[i + 1])) {
            return { ok: false, error: `${INVALID}: a closing quote must be followed by a space` };
          }
          done = true;
        } else {
          cur += c;
        }
      } else if (c === undefined || isSpace(c)) {
        done = true;
      } else if (c === '"') {
        inDouble = true;
      } else if (c === "'") {
        inSingle = true;
      } else {
        cur += c;
      }
      if (i < n) i++;
    }
    args.push(cur);
  }
}
