// Prints the contract's JSON (lifeline/contract.hpp). scripts/build-wasm.sh compiles this for
// Node and writes js/contract-data.js from it, so the shim has the contract before the core is
// loaded and the core's wasm carries none of its text: only its id, to prove they match.
#include <cstdio>
#include <string>

#include "lifeline/contract.hpp"

int main() {
  const std::string json = lifeline::contract_json();
  // One line, flushed: Emscripten's stdout reaches Node's at a newline or a flush.
  std::fwrite(json.data(), 1, json.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
  return 0;
}
