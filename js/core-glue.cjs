'use strict';
// The CommonJS build's way to the core (copied to dist/cjs/core-glue.js by scripts/build.sh).
const createLifelineCore = require('../wasm/lifeline-core.cjs');

exports.createLifelineCore = createLifelineCore;
exports.defaultWasmLocation = require('path').join(__dirname, '..', 'wasm', 'lifeline-core.wasm');
exports.loadOptionalModule = (name) => Promise.resolve().then(() => require(name));
