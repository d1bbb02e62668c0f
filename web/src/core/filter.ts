/**
 * The runs-table filter language.
 *
 *   config.lr > 1e-4 and tags contains "grpo"
 *   state = running or (summary.`eval/acc` >= 0.9 and not host ~ "^gpu-0")
 *   resnet                     free text: matches name or id (case-insensitive substring)
 *
 * Grammar (keywords case-insensitive; juxtaposed terms are AND-ed):
 *   expr    := and ("or" and)*
 *   and     := unary (["and"] unary)*
 *   unary   := "not" unary | "(" expr ")" | term
 *   term    := field op value | field "in" "[" value ("," value)* "]" | text
 *   op      := = | == | != | > | >= | < | <= | ~ (regex) | !~ | contains
 *   field   := name | id | state | tags | created | duration | group | job_type | host | notes
 *            | config.<path> | summary.<path> | <path>  (bare path: config, then summary)
 *   value   := number | "string" | 'string' | bare word | true | false | null
 * A path segment with characters outside [A-Za-z0-9_./-] is written in backticks: summary.`acc@1`.
 */

import { fieldValue, type RunLike } from "./runs";

export class FilterError extends Error {
  constructor(
    message: string,
    /** 0-based character offsets of the offending text */
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
    this.name = "FilterError";
  }
}

export type Op = "=" | "!=" | ">" | ">=" | "<" | "<=" | "~" | "!~" | "contains" | "in";
export type Value = number | string | boolean | null;

export type Node =
  | { type: "and" | "or"; items: Node[] }
  | { type: "not"; item: Node }
  | { type: "cmp"; field: string; op: Op; value: Value | Value[]; regex?: RegExp }
  | { type: "text"; text: string }
  | { type: "all" };

type TokKind = "word" | "string" | "number" | "op" | "lparen" | "rparen" | "lbrack" | "rbrack" | "comma" | "eof";
interface Tok {
  kind: TokKind;
  text: string;
  value?: string | number;
  start: number;
  end: number;
}

const WORD_START = /[A-Za-z_`]/;
const WORD_CHAR = /[A-Za-z0-9_.\/\-:@`]/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/;

export function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '"' || c === "'") {
      let s = "";
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === "\\" && i + 1 < src.length) {
          s += src[i + 1];
          i += 2;
        } else s += src[i++];
      }
      if (i >= src.length) throw new FilterError(`Unterminated string: add a closing ${c}`, start, src.length);
      i++;
      toks.push({ kind: "string", text: src.slice(start, i), value: s, start, end: i });
      continue;
    }
    const num = NUMBER.exec(src.slice(i));
    const prev = toks[toks.length - 1];
    const signOk = c !== "+" && c !== "-" ? true : !prev || prev.kind === "op" || prev.kind === "lbrack" || prev.kind === "comma";
    if (num && signOk && (/\d/.test(c) || c === "." || c === "-" || c === "+")) {
      const after = src[i + num[0].length];
      if (after === undefined || !/[A-Za-z_]/.test(after)) {
        i += num[0].length;
        toks.push({ kind: "number", text: num[0], value: Number(num[0]), start, end: i });
        continue;
      }
    }
    if (WORD_START.test(c) || /\d/.test(c)) {
      while (i < src.length) {
        if (src[i] === "`") {
          const close = src.indexOf("`", i + 1);
          if (close < 0) throw new FilterError("Unterminated `quoted` name: add a closing `", i, src.length);
          i = close + 1;
        } else if (WORD_CHAR.test(src[i])) i++;
        else break;
      }
      const text = src.slice(start, i);
      toks.push({ kind: "word", text, value: text.replace(/`/g, ""), start, end: i });
      continue;
    }
    const two = src.slice(i, i + 2);
    if (["==", "!=", ">=", "<=", "!~"].includes(two)) {
      i += 2;
      toks.push({ kind: "op", text: two, start, end: i });
      continue;
    }
    if ("=<>~".includes(c)) {
      i++;
      toks.push({ kind: "op", text: c, start, end: i });
      continue;
    }
    const single: Record<string, TokKind> = { "(": "lparen", ")": "rparen", "[": "lbrack", "]": "rbrack", ",": "comma" };
    if (single[c]) {
      i++;
      toks.push({ kind: single[c], text: c, start, end: i });
      continue;
    }
    throw new FilterError(`Unexpected character '${c}'`, i, i + 1);
  }
  toks.push({ kind: "eof", text: "", start: src.length, end: src.length });
  return toks;
}

const KEYWORDS = new Set(["and", "or", "not", "contains", "in"]);
const isKw = (t: Tok, kw: string) => t.kind === "word" && t.text.toLowerCase() === kw;

export function parseFilter(src: string): Node {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const next = () => toks[p++];

  function expr(): Node {
    const items = [and()];
    while (isKw(peek(), "or")) {
      next();
      items.push(and());
    }
    return items.length === 1 ? items[0] : { type: "or", items };
  }
  function and(): Node {
    const items = [unary()];
    for (;;) {
      const t = peek();
      if (isKw(t, "and")) {
        next();
        items.push(unary());
      } else if (t.kind !== "eof" && t.kind !== "rparen" && !isKw(t, "or")) {
        items.push(unary());
      } else break;
    }
    return items.length === 1 ? items[0] : { type: "and", items };
  }
  function unary(): Node {
    const t = peek();
    if (isKw(t, "not")) {
      next();
      return { type: "not", item: unary() };
    }
    if (t.kind === "lparen") {
      next();
      if (peek().kind === "rparen") throw new FilterError("Empty parentheses", t.start, peek().end);
      const e = expr();
      const close = peek();
      if (close.kind !== "rparen") throw new FilterError("Missing ')' to close this '('", t.start, t.end);
      next();
      return e;
    }
    return term();
  }
  function term(): Node {
    const t = next();
    if (t.kind === "eof") throw new FilterError("Expected a condition after this point", t.start, t.end);
    if (t.kind === "rparen") throw new FilterError("Unexpected ')' with no matching '('", t.start, t.end);
    if (t.kind === "op") throw new FilterError(`Expected a field name before '${t.text}'`, t.start, t.end);
    if (t.kind !== "word" && t.kind !== "string" && t.kind !== "number")
      throw new FilterError(`Unexpected '${t.text}'`, t.start, t.end);
    const o = peek();
    const isOp = o.kind === "op" || isKw(o, "contains") || isKw(o, "in");
    if (t.kind === "word" && KEYWORDS.has(t.text.toLowerCase()))
      throw new FilterError(`'${t.text}' needs a condition before it`, t.start, t.end);
    if (!isOp) return { type: "text", text: String(t.value) };
    if (t.kind !== "word") throw new FilterError(`Expected a field name, found ${t.text}`, t.start, t.end);
    next();
    const field = String(t.value);
    let op: Op;
    if (o.kind === "op") op = o.text === "==" ? "=" : (o.text as Op);
    else op = o.text.toLowerCase() as Op;
    if (op === "in") {
      const lb = next();
      if (lb.kind !== "lbrack") throw new FilterError("Expected '[' after 'in', e.g. state in [running, failed]", lb.start, lb.end);
      const values: Value[] = [];
      if (peek().kind !== "rbrack") {
        values.push(value(o));
        while (peek().kind === "comma") {
          next();
          values.push(value(o));
        }
      }
      const rb = next();
      if (rb.kind !== "rbrack") throw new FilterError("Expected ',' or ']' in the list", rb.start, rb.end);
      return { type: "cmp", field, op, value: values };
    }
    const v = value(o);
    const node: Node = { type: "cmp", field, op, value: v };
    if (op === "~" || op === "!~") {
      try {
        node.regex = new RegExp(String(v), "i");
      } catch (e) {
        const vt = toks[p - 1];
        throw new FilterError(`Invalid regular expression: ${(e as Error).message}`, vt.start, vt.end);
      }
    }
    return node;
  }
  function value(after: Tok): Value {
    const t = next();
    if (t.kind === "number") return t.value as number;
    if (t.kind === "string") return t.value as string;
    if (t.kind === "word") {
      const w = t.text.toLowerCase();
      if (w === "true") return true;
      if (w === "false") return false;
      if (w === "null" || w === "none") return null;
      if (KEYWORDS.has(w)) throw new FilterError(`Expected a value after '${after.text}', found '${t.text}'`, t.start, t.end);
      return String(t.value);
    }
    throw new FilterError(
      t.kind === "eof" ? `Expected a value after '${after.text}'` : `Expected a value after '${after.text}', found '${t.text}'`,
      t.kind === "eof" ? after.start : t.start,
      t.kind === "eof" ? after.end : t.end,
    );
  }

  if (peek().kind === "eof") return { type: "all" };
  const root = expr();
  const rest = peek();
  if (rest.kind !== "eof") {
    if (rest.kind === "rparen") throw new FilterError("Unexpected ')' with no matching '('", rest.start, rest.end);
    throw new FilterError(`Unexpected '${rest.text}'`, rest.start, rest.end);
  }
  return root;
}

// -- evaluation ---------------------------------------------------------------------------------------

export type Predicate = (r: RunLike) => boolean;

export function compileFilter(src: string): Predicate {
  return compile(parseFilter(src));
}

/** Parse without throwing: for the filter bar, which shows the error under the input (and the fields it names). */
export function tryCompileFilter(src: string): { predicate: Predicate; error: FilterError | null; fields: string[] } {
  try {
    const ast = parseFilter(src);
    return { predicate: compile(ast), error: null, fields: filterFields(ast) };
  } catch (e) {
    if (e instanceof FilterError) return { predicate: () => true, error: e, fields: [] };
    throw e;
  }
}

/** The fields a filter names (for the filter bar's warning about keys no run has). */
export function filterFields(n: Node): string[] {
  switch (n.type) {
    case "and":
    case "or":
      return [...new Set(n.items.flatMap(filterFields))];
    case "not":
      return filterFields(n.item);
    case "cmp":
      return [n.field];
    default:
      return [];
  }
}

export function compile(n: Node): Predicate {
  switch (n.type) {
    case "all":
      return () => true;
    case "and": {
      const ps = n.items.map(compile);
      return (r) => ps.every((p) => p(r));
    }
    case "or": {
      const ps = n.items.map(compile);
      return (r) => ps.some((p) => p(r));
    }
    case "not": {
      const p = compile(n.item);
      return (r) => !p(r);
    }
    case "text": {
      const t = n.text.toLowerCase();
      return (r) => (r.name ?? "").toLowerCase().includes(t) || r.id.toLowerCase().includes(t);
    }
    case "cmp":
      return (r) => compare(fieldValue(r, n.field), n.op, n.value, n.regex);
  }
}

function compare(actual: unknown, op: Op, expected: Value | Value[], regex?: RegExp): boolean {
  if (op === "in") return (expected as Value[]).some((e) => equals(actual, e));
  if (op === "!=") return !equals(actual, expected as Value);
  if (op === "=") return equals(actual, expected as Value);
  if (op === "contains") {
    if (Array.isArray(actual)) return actual.some((a) => equals(a, expected as Value));
    if (actual == null) return false;
    return str(actual).toLowerCase().includes(str(expected).toLowerCase());
  }
  if (op === "~" || op === "!~") {
    const hit = Array.isArray(actual)
      ? actual.some((a) => regex!.test(str(a)))
      : actual != null && regex!.test(str(actual));
    return op === "~" ? hit : !hit;
  }
  // ordering
  if (actual == null || expected == null) return false;
  const a = toNum(actual);
  const e = toNum(expected);
  let c: number;
  if (a !== null && e !== null) c = a - e;
  else c = str(actual).localeCompare(str(expected));
  switch (op) {
    case ">":
      return c > 0;
    case ">=":
      return c >= 0;
    case "<":
      return c < 0;
    case "<=":
      return c <= 0;
  }
  return false;
}

function equals(actual: unknown, expected: Value): boolean {
  if (Array.isArray(actual)) return actual.some((a) => equals(a, expected));
  if (expected === null) return actual === null || actual === undefined;
  if (actual === null || actual === undefined) return false;
  if (typeof expected === "boolean") return actual === expected || str(actual).toLowerCase() === String(expected);
  const a = toNum(actual);
  const e = toNum(expected);
  if (a !== null && e !== null) return a === e;
  return str(actual).toLowerCase() === str(expected).toLowerCase();
}

function toNum(v: unknown): number | null {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v))) return Number(v);
  return null;
}

function str(v: unknown): string {
  return typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
}
