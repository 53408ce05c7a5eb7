# unit tests of greet.sh.
cd "$(dirname "$0")"
failed=0
check() {
  got=$(sh greet.sh "$@")
  if [ "$got" = "$expected" ]; then
    echo "ok: greet $*"
  else
    echo "FAIL: greet $*: got \"$got\", expected \"$expected\""
    failed=1
  fi
}
expected="hello, Ada!" check Ada
expected="hello, world!" check
exit "$failed"
