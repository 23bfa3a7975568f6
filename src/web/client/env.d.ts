/** esbuild's text loader (scripts/build-playground.mjs): a .yml import is the file's text. */
declare module "*.yml" {
  const text: string;
  export default text;
}
