// The part of the WebAssembly JS API this package uses. TypeScript declares it in lib.dom only,
// which this repository does not load (tsconfig.base.json: lib ES2023, types node).
declare namespace WebAssembly {
  type ImportExportKind = "function" | "global" | "memory" | "table";
  interface ModuleExportDescriptor {
    kind: ImportExportKind;
    name: string;
  }
  interface ModuleImportDescriptor {
    kind: ImportExportKind;
    module: string;
    name: string;
  }
  interface Module {}
  var Module: {
    prototype: Module;
    new (bytes: ArrayBufferView | ArrayBuffer): Module;
    exports(module: Module): ModuleExportDescriptor[];
    imports(module: Module): ModuleImportDescriptor[];
  };
  interface Instance {
    readonly exports: Record<string, unknown>;
  }
  var Instance: {
    prototype: Instance;
    new (module: Module, imports?: Record<string, Record<string, unknown>>): Instance;
  };
  interface ImportValue {}
  function compile(bytes: ArrayBufferView | ArrayBuffer): Promise<Module>;
}
