# app web: serve a page saying where the database is and what it answers.
set -e
case "${1:-}" in
web)
  mkdir -p /www
  {
    echo "app of $CALZION_INSTANCE"
    echo "database driver at $RETHINKDB_URI"
    echo "database says: $(wget -qO- "$DATABASE_PAGE" 2>&1)"
  } > /www/index.html
  exec httpd -f -p 3000 -h /www
  ;;
*)
  echo "usage: app web" >&2
  exit 64
  ;;
esac
