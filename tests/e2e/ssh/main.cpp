// The doctest main of calzion_ssh_e2e, in its own translation unit: it is slow
// to compile. Whether the test hosts are up is checked by the tests themselves
// (see test_ssh_transport.cpp), so that --help and --list-test-cases work anywhere.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
