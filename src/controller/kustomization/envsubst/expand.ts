// The `${var}` expansion Flux applies in postBuild (fluxcd/pkg/envsubst, a fork of drone/envsubst),
// reimplemented to behave the same on odd input: which constructs parse, which are errors, and what
// the escapes `$$` and `\/` do. The scanner's state machine (modes, accepted characters per position,
// escapes removed from the buffer as they are read) follows the original closely because its quirks are
// user-visible in manifests. Like the original, it works on UTF-8 bytes: text is held as "byte strings"
// (one char per byte) so that offsets, lengths and substrings count bytes as Go does.
import { fromBytes, toBytes } from "./bytes.ts";
import { EnvsubstError } from "./errors.ts";
import { functionFor } from "./functions.ts";
import { type Node, parse } from "./parse.ts";

export { EnvsubstError, type EnvsubstErrorCode } from "./errors.ts";

/** Looks a variable up: its value and whether it is set. */
export type Lookup = (name: string) => { value: string; exists: boolean };

/** Expands every `${…}` expression in `text`. Throws EnvsubstError on a malformed expression or, when `lookup` reports a variable unset, on a use without a default. */
export function expand(text: string, lookup: Lookup): string {
  return expandToBuffer(text, lookup).toString("utf8");
}

/**
 * Like expand, as UTF-8 bytes: byte-wise offsets and trims can split a character, which Flux passes on
 * (and its YAML reader then rejects); the bytes let a caller tell.
 */
export function expandToBuffer(text: string, lookup: Lookup): Buffer {
  const byteLookup: Lookup = (name) => {
    const { value, exists } = lookup(fromBytes(name));
    return { value: toBytes(value), exists };
  };
  return Buffer.from(evaluate(parse(toBytes(text)), byteLookup), "latin1");
}

// Operators that supply their own value when the variable is unset: exempt from strict mode.
const DEFAULT_OPERATORS = new Set(["-", "+", "=", "?", ":-", ":+", ":=", ":?"]);

function evaluate(nodes: readonly Node[], lookup: Lookup): string {
  let out = "";
  for (const node of nodes) out += evaluateNode(node, lookup);
  return out;
}

function evaluateNode(node: Node, lookup: Lookup): string {
  switch (node.type) {
    case "text":
      return node.value;
    case "list":
      return evaluate(node.nodes, lookup);
    case "func": {
      // Arguments are expanded first, even when the operator will not use them.
      const args = node.args.map((arg) => evaluateNode(arg, lookup));
      const { value, exists } = lookup(node.param);
      if (!exists && !DEFAULT_OPERATORS.has(node.name)) {
        const name = JSON.stringify(fromBytes(node.param));
        throw new EnvsubstError("VariableNotSet", `variable not set (strict mode): ${name}`);
      }
      return functionFor(node.name, args.length)(value, args);
    }
  }
}
