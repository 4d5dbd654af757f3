// Validates rendered HTTPRoute and ExternalSecret objects with @kubernetes-models (pinned 2.0.0).
//
// Input (stdin): a JSON array of {"file": "...", "object": {...}}.
// Output (stdout): a JSON array of {"file", "kind", "name", "errors": [...], "unknownFields": [...]}.
// Exit 0 once every object was examined (whatever it found), 2 when the script itself cannot work.
//
// Two checks per object:
// 1. the package's own validator (`new Model(obj).validate()`), compiled from the CRD's OpenAPI
//    schema: types, enums, patterns, required fields, lengths;
// 2. field names. The package's validators accept unknown fields (a typo such as `backendRef` for
//    `backendRefs` passes), so this script walks the object against the TypeScript declarations the
//    package ships (`*.d.ts`, generated from the same schema) and reports every field that no
//    interface declares.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const NODE_MODULES = join(HERE, "node_modules");

const MODELS = {
  "gateway.networking.k8s.io/v1 HTTPRoute": "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute",
  "external-secrets.io/v1 ExternalSecret": "@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret",
};

// Types that carry no field names of their own.
const LEAF = /^(string|number|boolean|null|true|false|"[^"]*"|'[^']*'|-?\d+(\.\d+)?)$/;
const FREE_FORM = /^(any|unknown|object|\{\})$/;
// Interfaces from @kubernetes-models/base that the generated ones extend.
const BASE_INTERFACES = { TypeMeta: ["apiVersion", "kind"] };

// -- reading the declarations --------------------------------------------------------------------

const declarationFiles = new Map();

function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

// Index of the bracket closing the one at `open`, counting {}, <>, () and [] alike.
function closing(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if ("{<([".includes(text[i])) depth++;
    else if ("}>)]".includes(text[i]) && text[i - 1] !== "=") depth--;
    if (depth === 0) return i;
  }
  throw new Error(`unbalanced brackets at ${open}`);
}

// Split `text` on `separator` where it is not nested in brackets.
function splitTopLevel(text, separator) {
  const parts = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if ("{<([".includes(char)) depth++;
    else if ("}>)]".includes(char) && text[i - 1] !== "=") depth--;
    else if (char === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim()).filter(Boolean);
}

function parseMembers(body) {
  const props = new Map();
  for (const member of splitTopLevel(body, ";")) {
    const match = /^(?:readonly\s+)?(?:"([^"]+)"|([A-Za-z_$][\w$]*))\??\s*:\s*([\s\S]+)$/.exec(member);
    if (!match) throw new Error(`cannot read the member: ${member}`);
    props.set(match[1] ?? match[2], match[3].trim());
  }
  return props;
}

function parseDeclarations(path) {
  const text = stripComments(readFileSync(path, "utf8"));
  const file = { path, imports: new Map(), interfaces: new Map(), aliases: new Map(), exported: new Map() };
  for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
    for (const name of m[1].split(",").map((s) => s.trim()).filter(Boolean)) {
      file.imports.set(name.split(/\s+as\s+/).pop(), { name: name.split(/\s+as\s+/)[0], from: m[2] });
    }
  }
  for (const m of text.matchAll(/export\s+interface\s+(\w+)(?:\s+extends\s+([^{]+))?\s*\{/g)) {
    const open = m.index + m[0].length - 1;
    const body = text.slice(open + 1, closing(text, open));
    const bases = m[2] ? m[2].split(",").map((s) => s.trim()) : [];
    file.interfaces.set(m[1], { bases, props: parseMembers(body) });
  }
  for (const m of text.matchAll(/export\s+type\s+(\w+)\s*=\s*/g)) {
    const rest = text.slice(m.index + m[0].length);
    file.aliases.set(m[1], splitTopLevel(rest, ";")[0]);
  }
  for (const m of text.matchAll(/export\s+type\s*\{([^}]*)\}/g)) {
    for (const pair of m[1].split(",").map((s) => s.trim()).filter(Boolean)) {
      const [local, exported] = pair.split(/\s+as\s+/);
      file.exported.set(exported ?? local, local);
    }
  }
  return file;
}

function declarationsAt(path) {
  if (!declarationFiles.has(path)) declarationFiles.set(path, parseDeclarations(path));
  return declarationFiles.get(path);
}

// "./Foo.js" next to `fromFile`, or "@scope/pkg/sub/path" inside node_modules, as a .d.ts path.
function specifierPath(specifier, fromFile) {
  const base = specifier.startsWith(".") ? join(dirname(fromFile), specifier) : join(NODE_MODULES, specifier);
  const path = base.replace(/\.js$/, "") + ".d.ts";
  if (!existsSync(path)) throw new Error(`no declarations for "${specifier}" (looked for ${path})`);
  return path;
}

// -- types ---------------------------------------------------------------------------------------

const ANY = { kind: "any" };

function resolveType(text, file) {
  const type = text.trim();
  if (LEAF.test(type)) return ANY;
  if (FREE_FORM.test(type)) return ANY;
  const array = /^Array<([\s\S]+)>$/.exec(type) ?? /^([\w$]+)\[\]$/.exec(type);
  if (array) return { kind: "array", of: () => resolveType(array[1], file) };
  const map = /^\{\s*\[\w+:\s*string\]:\s*([\s\S]+?);?\s*\}$/.exec(type);
  if (map) return { kind: "map", of: () => resolveType(map[1], file) };
  const union = splitTopLevel(type, "|");
  if (union.length > 1) {
    const parts = union.map((part) => resolveType(part, file));
    if (parts.every((part) => part.kind === "any")) return ANY;
    throw new Error(`unsupported union type in ${file.path}: ${type}`);
  }
  if (/^[\w$]+$/.test(type)) return resolveName(type, file);
  throw new Error(`unsupported type in ${file.path}: ${type}`);
}

function resolveName(name, file) {
  const local = file.exported.get(name) ?? name;
  const found = file.interfaces.get(local);
  if (found) return objectType(found, file);
  if (file.aliases.has(local)) return resolveType(file.aliases.get(local), file);
  const imported = file.imports.get(local);
  if (imported) return resolveName(imported.name, declarationsAt(specifierPath(imported.from, file.path)));
  throw new Error(`cannot find the type ${name} in ${file.path}`);
}

function objectType(declaration, file) {
  const props = new Map();
  for (const base of declaration.bases) {
    if (base in BASE_INTERFACES) {
      for (const prop of BASE_INTERFACES[base]) props.set(prop, () => ANY);
      continue;
    }
    const resolved = resolveName(base, file);
    if (resolved.kind !== "object") throw new Error(`${base} is not an interface (${file.path})`);
    for (const [prop, type] of resolved.props) props.set(prop, type);
  }
  for (const [prop, text] of declaration.props) props.set(prop, () => resolveType(text, file));
  return { kind: "object", props };
}

// -- checking ------------------------------------------------------------------------------------

function unknownFields(value, type, path, found) {
  if (value === null || value === undefined || type.kind === "any") return found;
  if (type.kind === "array" && Array.isArray(value)) {
    const of = type.of();
    value.forEach((item, i) => unknownFields(item, of, `${path}[${i}]`, found));
  } else if (type.kind === "map" && typeof value === "object") {
    const of = type.of();
    for (const [key, item] of Object.entries(value)) unknownFields(item, of, `${path}.${key}`, found);
  } else if (type.kind === "object" && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, item] of Object.entries(value)) {
      const field = type.props.get(key);
      if (field === undefined) found.push(path ? `${path}.${key}` : key);
      else unknownFields(item, field(), path ? `${path}.${key}` : key, found);
    }
  }
  return found;
}

async function examine({ file, object }) {
  const kind = object?.kind;
  const name = object?.metadata?.name;
  const specifier = MODELS[`${object?.apiVersion} ${kind}`];
  if (!specifier) return { file, kind, name, errors: [`no model for ${object?.apiVersion} ${kind}`], unknownFields: [] };
  const module = await import(specifier);
  const errors = [];
  try {
    new module[kind](object).validate();
  } catch (error) {
    const details = error.errors ?? [];
    if (details.length === 0) errors.push(String(error.message ?? error));
    for (const detail of details) errors.push(`${detail.instancePath || "/"} ${detail.message}`.trim());
  }
  const rootType = resolveName(`I${kind}`, declarationsAt(specifierPath(specifier, HERE)));
  return { file, kind, name, errors, unknownFields: unknownFields(object, rootType, "", []) };
}

async function main() {
  const input = JSON.parse(readFileSync(0, "utf8"));
  const results = [];
  for (const item of input) results.push(await examine(item));
  process.stdout.write(JSON.stringify(results, null, 2) + "\n");
}

main().catch((error) => {
  process.stderr.write(`validate.mjs: ${error.stack ?? error}\n`);
  process.exit(2);
});
