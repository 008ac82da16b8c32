// Errors of the envsubst port.

/** An expansion error; `code` tells the parse errors and the strict-mode error apart. */
export class EnvsubstError extends Error {
  override name = "EnvsubstError";
  readonly code: EnvsubstErrorCode;

  constructor(code: EnvsubstErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** What went wrong in an expansion. */
export type EnvsubstErrorCode =
  | "BadSubstitution"
  | "MissingClosingBrace"
  | "ParseVariableName"
  | "ParseFuncSubstitution"
  | "ParseDefaultFunction"
  | "VariableNotSet";

const messages: Record<Exclude<EnvsubstErrorCode, "VariableNotSet">, string> = {
  BadSubstitution: "bad substitution",
  MissingClosingBrace: "missing closing brace",
  ParseVariableName: "unable to parse variable name",
  ParseFuncSubstitution: "unable to parse substitution within function",
  ParseDefaultFunction: "unable to parse default function",
};

/** The error for a malformed expression. */
export function parseError(code: Exclude<EnvsubstErrorCode, "VariableNotSet">): EnvsubstError {
  return new EnvsubstError(code, messages[code]);
}
