# build: the app's web page and its version into dist/.
set -e
cd "$(dirname "$0")"
mkdir -p dist
sh greet.sh "pipeline" > dist/index.html
echo "${CALZION_COMMIT_SHA:-unknown}" > dist/VERSION
echo "built dist/index.html and dist/VERSION"
