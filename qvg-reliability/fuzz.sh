#!/usr/bin/env bash
# The long fuzzing run of one reader, outside the JUnit suite so that the run count and time are
# free (the @FuzzTest annotation fixes maxDuration at compile time). Usage, from the repo root:
#   qvg-reliability/fuzz.sh <FuzzTestClass> <method> [runs] [max seconds] [extra Jazzer/libFuzzer flags...]
#   e.g. qvg-reliability/fuzz.sh SafeTensorsFuzzTest safeTensors 1000000 3600
# The corpus grows in qvg-reliability/.cifuzz-corpus/<class>/<method> (the same directory a
# `JAZZER_FUZZ=1 mvn test` run uses, so both resume each other); findings are written to
# qvg-reliability/target/fuzz-findings/. Needs `mvn -o -pl qvg-reliability test-compile` first.
set -euo pipefail
cd "$(dirname "$0")"
cls="${1:?fuzz test class, e.g. SafeTensorsFuzzTest}"; method="${2:?fuzz test method, e.g. safeTensors}"
runs="${3:-1000000}"; secs="${4:-3600}"; shift $(( $# < 4 ? $# : 4 ))
if [ ! -f target/test.classpath ] || [ pom.xml -nt target/test.classpath ]; then
  mvn -q -o dependency:build-classpath -Dmdep.outputFile=target/test.classpath -Dmdep.includeScope=test
fi
# A private copy of the class path: sibling modules re-install their jars in ~/.m2 while they are
# developed, and a jar replaced under a running JVM surfaces as a spurious NoClassDefFoundError.
lib="target/fuzz-lib-$$"; mkdir -p "$lib"; cp=""
IFS=: read -ra jars < target/test.classpath || true  # no trailing newline: read returns 1
for j in "${jars[@]}"; do cp "$j" "$lib/"; cp="$cp:$lib/$(basename "$j")"; done
cp -r target/test-classes "$lib/test-classes"
trap 'rm -rf "$lib"' EXIT
corpus=".cifuzz-corpus/dev.qvg.reliability.$cls/$method"
mkdir -p "$corpus" target/fuzz-findings
java -Xmx2g -cp "$lib/test-classes$cp" com.code_intelligence.jazzer.Jazzer \
  --target_class="dev.qvg.reliability.$cls" --target_method="$method" \
  --instrumentation_includes='dev.qvg.**' --custom_hook_includes='dev.qvg.**' \
  -runs="$runs" -max_total_time="$secs" -timeout=10 -artifact_prefix=target/fuzz-findings/ \
  "$@" "$corpus" "src/test/resources/dev/qvg/reliability/${cls}Inputs/$method"
