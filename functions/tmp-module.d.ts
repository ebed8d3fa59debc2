/**
 * The part of `tmp` (the temporary-file package exceljs uses) that functions/core/import/xlsx-source.ts touches:
 * exceljs calls `tmp.file(callback)`; the reader sends those files to the import's own directory.
 */
declare module 'tmp' {
  type FileCallback = (error: Error | null, path: string, fd: number, cleanup: () => void) => void;
  interface TmpModule {
    file(options: { tmpdir?: string } | FileCallback, callback?: FileCallback): void;
  }
  const tmp: TmpModule;
  export default tmp;
}
