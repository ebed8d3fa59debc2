/** `import text from './file.ext?raw'`: the file's text, inlined at bundle time (config/esbuild-plugins.cjs; Vite in tests). */
declare module '*?raw' {
  const text: string;
  export default text;
}
