#!/usr/bin/env bash
# The package as someone else's CDK app gets it (.ci/run): pack it, install the tarball into a scratch
# copy of this directory (with aws-cdk-lib and constructs at this repository's versions, nothing else),
# type-check and compile app.ts against the installed types, synthesize, then check the template with
# the ready app's security checks, and run the installed CLI once. No cdk.json: no feature flags.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$PWD"

scratch="$(mktemp -d "${TMPDIR:-/tmp}/passrole-doctor-consumer-XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
cp test/consumer-app/package.json test/consumer-app/tsconfig.json test/consumer-app/app.ts "$scratch/"

# prepack builds the CLI, the compiled construct and the pre-bundled functions.
tarball="$(npm pack --silent --pack-destination "$scratch" | tail -n 1)"
cdk_lib="aws-cdk-lib@$(node -p 'require("aws-cdk-lib/package.json").version')"
constructs="constructs@$(node -p 'require("constructs/package.json").version')"
(cd "$scratch" && npm install --no-audit --no-fund --loglevel=error "./$tarball" "$cdk_lib" "$constructs")

# What the consumer's synth does without: neither esbuild nor this project's lock file.
if [ -e "$scratch/node_modules/esbuild" ] || [ -e "$scratch/node_modules/passrole-doctor/package-lock.json" ]; then
  echo "consumer app: esbuild or passrole-doctor's lock file was installed" >&2
  exit 1
fi

node "$repo/node_modules/typescript/bin/tsc" -p "$scratch/tsconfig.json"
(cd "$scratch" && CDK_OUTDIR=cdk.out node app.js)
node "$repo/node_modules/tsx/dist/cli.mjs" test/consumer-app/check-template.ts "$scratch/cdk.out" ConsumerStack
(cd "$scratch" && npx --no-install passrole-doctor demo >/dev/null)
echo "consumer app: the installed passrole-doctor CLI ran its demo"
