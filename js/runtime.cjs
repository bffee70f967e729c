'use strict';
// The CommonJS build's runtime (copied to dist/cjs/runtime.js by scripts/build.sh): see runtime.js.
const createLifelineCore = require('../wasm/lifeline-core.cjs');
const { browserPlatform } = require('./platform/browser.js');

exports.createLifelineCore = createLifelineCore;
exports.defaultWasmLocation = require('path').join(__dirname, '..', 'wasm', 'lifeline-core.wasm');
exports.loadOptionalModule = (name) => Promise.resolve().then(() => require(name));
exports.instantiateOverride = null;
exports.defaultTransport = null;
exports.defaultPlatform = browserPlatform;
exports.runtimeDefaults = {};
