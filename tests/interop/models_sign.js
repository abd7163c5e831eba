#!/usr/bin/env node
// models_sign.js OUTDIR - metadata signed by an independent TUF
// implementation (the npm package @tufjs/models, with keys made by node's
// crypto): a root (threshold 2: one ed25519 and one ECDSA P-256 key, with an
// unknown field), and targets signed by an ECDSA key.  Also writes the
// canonical bytes @tufjs/canonical-json produced for each "signed", for
// comparison with `rampart metadata canonical`.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { Key, Metadata, Root, Targets, TargetFile, Signature } = require('@tufjs/models');
const { canonicalize } = require('@tufjs/canonical-json');

const out = process.argv[2];
if (!out) {
  console.error('usage: models_sign.js OUTDIR');
  process.exit(2);
}
fs.mkdirSync(out, { recursive: true });

function makeKey(kind) {
  const pair = kind === 'ed25519'
    ? crypto.generateKeyPairSync('ed25519')
    : crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = pair.publicKey.export({ type: 'spki', format: 'der' });
  const pub = kind === 'ed25519'
    ? spki.subarray(spki.length - 32).toString('hex')
    : pair.publicKey.export({ type: 'spki', format: 'pem' });
  const keyVal = { public: pub };
  const keyType = kind === 'ed25519' ? 'ed25519' : 'ecdsa';
  const scheme = kind === 'ed25519' ? 'ed25519' : 'ecdsa-sha2-nistp256';
  const keyID = crypto.createHash('sha256')
    .update(canonicalize({ keytype: keyType, keyval: keyVal, scheme }))
    .digest('hex');
  const key = new Key({ keyID, keyType, scheme, keyVal });
  const signer = (data) => new Signature({
    keyID,
    sig: crypto.sign(kind === 'ed25519' ? null : 'sha256', data, pair.privateKey).toString('hex'),
  });
  return { key, signer };
}

const rootEd = makeKey('ed25519');
const rootEc = makeKey('ecdsa');
const targetsKey = makeKey('ecdsa');
const online = makeKey('ed25519');
const expires = '2099-01-01T00:00:00Z';

const root = new Root({
  version: 1, specVersion: '1.0.31', expires, consistentSnapshot: true,
  unrecognizedFields: { 'x-made-by': '@tufjs/models \u00e9t\u00e9' },
});
root.addKey(rootEd.key, 'root');
root.addKey(rootEc.key, 'root');
root.roles.root.threshold = 2;
root.addKey(targetsKey.key, 'targets');
root.addKey(online.key, 'snapshot');
root.addKey(online.key, 'timestamp');
const rootMd = new Metadata(root);
rootMd.sign(rootEd.signer);
rootMd.sign(rootEc.signer);

const targets = new Targets({ version: 1, specVersion: '1.0.31', expires });
const content = Buffer.from('independent target\n');
targets.addTarget(new TargetFile({
  path: 'docs/readme.txt', length: content.length,
  hashes: { sha256: crypto.createHash('sha256').update(content).digest('hex') },
  unrecognizedFields: { custom: { note: 'quotes " and \\ backslashes' } },
}));
const targetsMd = new Metadata(targets);
targetsMd.sign(targetsKey.signer);

for (const [name, md] of [['root', rootMd], ['targets', targetsMd]]) {
  const doc = md.toJSON();
  fs.writeFileSync(path.join(out, `${name}.json`), JSON.stringify(doc, null, 1));
  fs.writeFileSync(path.join(out, `${name}.canonical`), Buffer.from(canonicalize(doc.signed)));
}
console.log(`wrote root.json and targets.json to ${out}`);
