import asc from "assemblyscript/asc";

/** Compiles an AssemblyScript entry with asc and the flags the packages' builds use; paths are relative to `baseDir`. */
export async function compileAssemblyScript(baseDir: string, entry: string, outFile: string, abortHandler: string): Promise<void> {
  const stderr = asc.createMemoryStream();
  const result = await asc.main(
    [entry, "--baseDir", baseDir, "--outFile", outFile, "--optimize", "--use", `abort=${abortHandler}`],
    { stdout: asc.createMemoryStream(), stderr },
  );
  if (result.error) throw new Error(`asc ${entry}: ${result.error.message}\n${stderr.toString()}`);
}
