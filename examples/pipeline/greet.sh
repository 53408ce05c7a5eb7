# greet NAME: the app's one feature, a greeting.
printf 'hello, %s!\n' "${1:-world}"
