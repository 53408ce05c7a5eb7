#pragma once

#include <string>
#include <vector>

namespace calzion::test {

// What a terminal shows after it was sent `bytes`: the lines on screen, top
// first, without the empty line the cursor ends on. It knows what a live
// display sends: text, "\n" (to the start of the next line, as a tty does), "\r",
// ESC[nA (cursor up), ESC[2K (clear the line), ESC[J (clear to the end of the
// screen) and ESC[...m (colours, which it drops). Any other sequence fails the
// test that uses it.
std::vector<std::string> screen_after(const std::string& bytes);

}  // namespace calzion::test
