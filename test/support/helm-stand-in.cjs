#!/usr/bin/env node
// A stand-in for `helm template RELEASE CHART [--namespace NS] [--values F]... [--set K=V]...`, for the machines
// where helm cannot be installed (it is in neither Debian's archive nor npm). It renders only what the docs'
// example chart uses: `{{ .Release.Name }}` and `{{ .Values.KEY }}` (top-level scalar values from values.yaml
// and --set), one `# Source:` comment per template, as `helm template` prints them. It tests the contract with
// helm (arguments, stdout), not helm: a chart using anything else is refused with exit 1.
const fs = require('node:fs');
const path = require('node:path');
const [cmd, release, chart, ...rest] = process.argv.slice(2);
if (cmd === 'version') {
  process.stdout.write('version.BuildInfo{Version:"stand-in"}\n');
  process.exit(0);
}
if (cmd !== 'template' || !release || !chart) {
  process.stderr.write('helm stand-in: only `helm template RELEASE CHART [flags]` is supported\n');
  process.exit(1);
}
const values = {};
const readValues = (file) => {
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Za-z0-9_]+):\s*(.*?)\s*$/.exec(line);
    if (m) values[m[1]] = m[2];
  }
};
readValues(path.join(chart, 'values.yaml'));
for (let i = 0; i < rest.length; i += 2) {
  if (rest[i] === '--values') readValues(rest[i + 1]);
  else if (rest[i] === '--set') {
    const [k, v] = rest[i + 1].split('=');
    values[k] = v;
  } else if (rest[i] !== '--namespace') {
    process.stderr.write(`helm stand-in: unsupported flag ${rest[i]}\n`);
    process.exit(1);
  }
}
const name = fs.readFileSync(path.join(chart, "Chart.yaml"), "utf8").match(/^name:\s*(\S+)/m)[1];
const dir = path.join(chart, 'templates');
for (const t of fs.readdirSync(dir).sort()) {
  const text = fs.readFileSync(path.join(dir, t), 'utf8').replace(/\{\{\s*(.*?)\s*\}\}/g, (_all, expr) => {
    if (expr === '.Release.Name') return release;
    const m = /^\.Values\.([A-Za-z0-9_]+)$/.exec(expr);
    if (m && m[1] in values) return values[m[1]];
    process.stderr.write(`helm stand-in: cannot render {{ ${expr} }} in ${t}\n`);
    process.exit(1);
  });
  process.stdout.write(`---\n# Source: ${name}/templates/${t}\n${text}`);
}
