// Where the binding leaves what JavaScript reads (and JavaScript leaves text for the core): one
// static array of doubles for records (an output, the stats; field order from the contract,
// lifeline/contract.hpp) and one byte buffer for control-frame text. Shared by every binding file.
#pragma once

#include "lifeline/client.hpp"
#include "lifeline/contract.hpp"

namespace lifeline::wasm {

inline constexpr int kRecordSize = static_cast<int>(OutputField::kCount) >
                                           static_cast<int>(StatsField::kCount)
                                       ? static_cast<int>(OutputField::kCount)
                                       : static_cast<int>(StatsField::kCount);
extern double records[kRecordSize];

template <typename Index>
void put(Index i, double v) {
  records[static_cast<int>(i)] = v;
}

// An inbound text starting with the control prefix (its first Client::kMaxControlText bytes,
// ASCII) written by JavaScript; or the text of a frame to write, left by a poll() (its length in
// the record's `frame`).
extern char frame_bytes[Client::kMaxControlText];

}  // namespace lifeline::wasm
