#!/usr/bin/env node
// Validates a flagd flag file with @openfeature/flagd-core in strict mode, and optionally evaluates flags.
//
//   node validate.js FLAG_FILE [CASES_FILE]
//
// Strict mode is MemoryStorage.setConfigurations(text, true): flagd-core checks the file against its
// bundled flags.json/targeting.json schemas and throws a ParseError listing the schema errors.
// (FlagdCore.setConfigurations(text) passes no flag and only logs schema errors at debug level.)
// Two things flagd-core reports only through its logger, even in strict mode, count as failures here:
// a targeting rule its JsonLogic engine cannot compile ("Invalid targeting configuration for flag …")
// and anything else logged at warn or error level while loading.
//
// CASES_FILE is a JSON list of {"flag", "type" (boolean|string|number|object), "default", "context"};
// each is evaluated with FlagdCore.resolve and reported as value, variant, reason and errorCode.
//
// Prints one JSON object on stdout: {valid, error, schemaErrors, warnings, flags, flagSetMetadata,
// evaluations}.
// Exit status: 0 valid, 1 invalid, 2 bad usage.
'use strict';

const fs = require('fs');
const { FlagdCore, MemoryStorage } = require('@openfeature/flagd-core');

function capturingLogger(messages) {
  const record = (level) => (...args) => messages.push({ level, message: args.map(String).join(' ') });
  return { debug() {}, info() {}, warn: record('warn'), error: record('error') };
}

// flagd-core puts ajv's error list, as JSON, after this prefix of its ParseError message.
const SCHEMA_ERRORS = 'invalid flagd flag configuration: ';

// The distinct "instancePath: message" pairs of a schema ParseError (ajv repeats them per anyOf branch).
function schemaErrors(message) {
  if (!message.startsWith(SCHEMA_ERRORS)) return [];
  const errors = JSON.parse(message.slice(SCHEMA_ERRORS.length));
  return [...new Set(errors.map((e) => `${e.instancePath || '/'}: ${e.message}`))].sort();
}

function load(text, logger) {
  const storage = new MemoryStorage(logger);
  try {
    storage.setConfigurations(text, true);
  } catch (err) {
    const cause = err.cause ? ` (${err.cause.message || err.cause})` : '';
    const firstLine = err.message.split('\n')[0].replace(/: \[$/, '');
    return { storage: null, error: `${err.name}: ${firstLine}${cause}`, schemaErrors: schemaErrors(err.message) };
  }
  return { storage, error: null, schemaErrors: [] };
}

function evaluate(core, cases, logger) {
  return cases.map(({ flag, type, default: fallback, context }) => {
    const result = core.resolve(type, flag, fallback, context || {}, logger);
    return {
      flag,
      value: result.value === undefined ? null : result.value,
      variant: result.variant === undefined ? null : result.variant,
      reason: result.reason,
      errorCode: result.errorCode || null,
    };
  });
}

function main(argv) {
  if (argv.length < 1 || argv.length > 2) {
    process.stderr.write('usage: node validate.js FLAG_FILE [CASES_FILE]\n');
    return 2;
  }
  const messages = [];
  const logger = capturingLogger(messages);
  const { storage, error, schemaErrors: errors } = load(fs.readFileSync(argv[0], 'utf8'), logger);
  const report = {
    valid: false,
    error,
    schemaErrors: errors,
    warnings: messages,
    flags: [],
    flagSetMetadata: {},
    evaluations: [],
  };
  if (storage) {
    report.flags = [...storage.getFlags().keys()].sort();
    report.flagSetMetadata = storage.getFlagSetMetadata();
    const cases = argv.length === 2 ? JSON.parse(fs.readFileSync(argv[1], 'utf8')) : [];
    report.evaluations = evaluate(new FlagdCore(storage, logger), cases, logger);
    report.valid = messages.length === 0;
  }
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  return report.valid ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
