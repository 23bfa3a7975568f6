/**
 * The one use of Node's Buffer in the code the page bundles (the CODEOWNERS reader's size check,
 * src/policy/codeowners.ts), with the web platform's encoder: injected by scripts/build-playground.mjs.
 */
export const Buffer = {
  byteLength: (text: string): number => new TextEncoder().encode(text).length,
};
