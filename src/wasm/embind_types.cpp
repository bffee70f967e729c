// embind's built-in type registrations, cut down to the types this binding uses. The stock ones
// (system/lib/embind/bind.cpp) also register std::string, the wide strings, emscripten::val, 64-bit
// integers and 20 memory views; each registration makes the glue keep its JavaScript half (UTF-16
// and UTF-32 codecs, the emval handle table, ...), and bind.cpp's __getTypeName links printf. With
// both symbols defined here, the linker never pulls bind.cpp out of libembind.a. If a later binding
// uses another type, embind reports it at init() ("... has unknown type"), and the tests fail.
#include <emscripten/bind.h>
#include <emscripten/emscripten.h>

#include <climits>
#include <cstdlib>
#include <cstring>

using emscripten::internal::TypeID;

extern "C" {

// The name of a type embind was not told about, for its error message ("... has unknown type
// <name>"). Without RTTI there is no name to give; the message's context names the function.
EMSCRIPTEN_KEEPALIVE const char* __getTypeName(const std::type_info*) {
  return strdup("a type not registered with embind (see src/wasm/embind_types.cpp)");
}

EMSCRIPTEN_KEEPALIVE __attribute__((constructor)) void
__embind_register_native_and_builtin_types() {
  using namespace emscripten::internal;
  _embind_register_void(TypeID<void>::get(), "void");
  _embind_register_bool(TypeID<bool>::get(), "bool", sizeof(bool), true, false);
  _embind_register_integer(TypeID<int>::get(), "int", sizeof(int), INT_MIN, INT_MAX);
  _embind_register_integer(TypeID<unsigned>::get(), "unsigned int", sizeof(unsigned), 0, UINT_MAX);
  _embind_register_float(TypeID<double>::get(), "double", sizeof(double));
}

}  // extern "C"
