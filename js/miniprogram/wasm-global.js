'use strict';
// The Emscripten glue expects a global `WebAssembly`; mini-programs have `WXWebAssembly`, without
// the error classes (the glue's abort() throws a WebAssembly.RuntimeError). The build makes the
// glue's `WebAssembly` this object.
function errorClass(name) {
  function WasmError(message) {
    const e = new Error(message);
    e.name = name;
    Object.setPrototypeOf(e, WasmError.prototype);
    return e;
  }
  WasmError.prototype = Object.create(Error.prototype, {
    constructor: { value: WasmError, writable: true, configurable: true },
    name: { value: name, writable: true, configurable: true },
  });
  return WasmError;
}

const host =
  typeof WebAssembly === 'object' ? WebAssembly : typeof WXWebAssembly === 'object' ? WXWebAssembly : null;

module.exports = host
  ? {
      instantiate: (a, b) => host.instantiate(a, b),
      Memory: host.Memory,
      Table: host.Table,
      Global: host.Global,
      Module: host.Module,
      Instance: host.Instance,
      RuntimeError: host.RuntimeError || errorClass('RuntimeError'),
      CompileError: host.CompileError || errorClass('CompileError'),
      LinkError: host.LinkError || errorClass('LinkError'),
    }
  : undefined;
