// The WebAssembly build's malloc: power-of-two size classes with a free list each, memory taken
// from above __heap_base (growing the wasm memory through Emscripten, so the glue's views follow)
// and never returned. The core allocates few blocks of few sizes (a Core, its output queue as it
// doubles, the contract's text once), so this is enough, and it is 0.2 KB where emmalloc is 1.8.
// Blocks are 8-aligned (as emmalloc's); each has an 8-byte header holding its class.
#include <emscripten/heap.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace {

constexpr std::size_t kHeader = 8;
constexpr unsigned kMinClass = 4;   // 16 bytes
constexpr unsigned kMaxClass = 31;  // 2 GiB, the wasm32 heap's limit
void* free_lists[kMaxClass + 1];

extern "C" std::size_t __heap_base;
uintptr_t brk = reinterpret_cast<uintptr_t>(&__heap_base);

// `size` more bytes at the break, or nullptr.
void* take(std::size_t size) {
  const uintptr_t end = brk + size;
  if (end < brk) return nullptr;
  if (end > emscripten_get_heap_size() && !emscripten_resize_heap(end)) return nullptr;
  void* block = reinterpret_cast<void*>(brk);
  brk = end;
  return block;
}

unsigned class_of(std::size_t size) {
  unsigned c = kMinClass;
  while (c < kMaxClass && (std::size_t{1} << c) < size + kHeader)
    ++c;
  return c;
}

unsigned& header_of(void* p) {
  return *reinterpret_cast<unsigned*>(static_cast<char*>(p) - kHeader);
}

}  // namespace

extern "C" {

void* malloc(std::size_t size) {
  if (size > (std::size_t{1} << kMaxClass) - kHeader) return nullptr;
  const unsigned c = class_of(size);
  void* p = free_lists[c];
  if (p != nullptr) {
    std::memcpy(&free_lists[c], p, sizeof(void*));
    return p;
  }
  void* block = take(std::size_t{1} << c);
  if (block == nullptr) return nullptr;
  p = static_cast<char*>(block) + kHeader;
  header_of(p) = c;
  return p;
}

void free(void* p) {
  if (p == nullptr) return;
  const unsigned c = header_of(p);
  std::memcpy(p, &free_lists[c], sizeof(void*));
  free_lists[c] = p;
}

std::size_t malloc_usable_size(void* p) {
  return p == nullptr ? 0 : (std::size_t{1} << header_of(p)) - kHeader;
}

void* calloc(std::size_t n, std::size_t size) {
  if (size != 0 && n > SIZE_MAX / size) return nullptr;
  void* p = malloc(n * size);
  if (p != nullptr) std::memset(p, 0, n * size);
  return p;
}

void* realloc(void* p, std::size_t size) {
  if (p == nullptr) return malloc(size);
  const std::size_t have = malloc_usable_size(p);
  if (size <= have) return p;
  void* q = malloc(size);
  if (q != nullptr) {
    std::memcpy(q, p, have);
    free(p);
  }
  return q;
}

}  // extern "C"
