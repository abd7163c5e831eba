// dsse_interop.js - an independent DSSE implementation for the provenance
// interoperability test (tests/integration/test_interop_dsse.sh): the
// Sigstore JavaScript libraries, pinned in package-lock.json, with a local
// key instead of Fulcio/Rekor.
//
//   node dsse_interop.js statement ARTIFACT BUILDER_ID SOURCE_URI REVISION OUT
//       writes an in-toto Statement v1 / SLSA Provenance v1 about ARTIFACT,
//       built here field by field (not by rampart)
//   node dsse_interop.js sign PRIVATE_KEY.pem PUBLIC.pub PAYLOAD OUT
//       signs PAYLOAD as application/vnd.in-toto+json with @sigstore/sign's
//       DSSEBundleBuilder and writes the bundle's DSSE envelope (JSON)
//   node dsse_interop.js verify PUBLIC.pub ENVELOPE
//       verifies the envelope with @sigstore/verify (exit 0) or exits 1
//
// PUBLIC.pub is a TUF key file as `rampart key generate` writes it
// (ed25519: hex; ecdsa: PEM).
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { DSSEBundleBuilder } = require('@sigstore/sign');
const { bundleFromJSON, envelopeToJSON } = require('@sigstore/bundle');
const { Verifier, toSignedEntity } = require('@sigstore/verify');

const PAYLOAD_TYPE = 'application/vnd.in-toto+json';

// A node KeyObject from a TUF public key file, and its TUF keyid hint.
function publicKey(file) {
  const tuf = JSON.parse(fs.readFileSync(file, 'utf8'));
  const pub = tuf.keyval.public;
  if (tuf.keytype === 'ed25519') {
    const x = Buffer.from(pub, 'hex').toString('base64url');
    return crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
  }
  return crypto.createPublicKey(pub);
}

function statement(artifact, builder, source, revision, out) {
  const digest = crypto.createHash('sha256').update(fs.readFileSync(artifact)).digest('hex');
  const st = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: path.basename(artifact), digest: { sha256: digest } }],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: {
        buildType: 'https://interop.example.com/build-types/npm@v1',
        externalParameters: { repository: source, ref: revision },
        resolvedDependencies: [{ uri: `${source}@${revision}`, digest: { gitCommit: 'f'.repeat(40) } }],
      },
      runDetails: { builder: { id: builder }, metadata: { invocationId: 'interop-1' } },
    },
  };
  fs.writeFileSync(out, JSON.stringify(st, null, 2));
}

async function sign(keyFile, pubFile, payloadFile, out) {
  const key = crypto.createPrivateKey(fs.readFileSync(keyFile));
  const pem = publicKey(pubFile).export({ type: 'spki', format: 'pem' });
  const signer = {
    sign: async (data) => ({
      // Ed25519 signs the message itself; ECDSA P-256 over SHA-256 (DER).
      signature: crypto.sign(key.asymmetricKeyType === 'ed25519' ? null : 'sha256', data, key),
      key: { $case: 'publicKey', publicKey: pem, hint: 'interop-builder' },
    }),
  };
  const builder = new DSSEBundleBuilder({ signer, witnesses: [] });
  const bundle = await builder.create({ data: fs.readFileSync(payloadFile), type: PAYLOAD_TYPE });
  fs.writeFileSync(out, JSON.stringify(envelopeToJSON(bundle.content.dsseEnvelope)) + '\n');
}

function verify(pubFile, envFile) {
  const envelope = JSON.parse(fs.readFileSync(envFile, 'utf8'));
  const bundle = bundleFromJSON({
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      publicKey: { hint: 'rampart-builder' },
      tlogEntries: [],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    dsseEnvelope: envelope,
  });
  const key = publicKey(pubFile);
  const trust = {
    certificateAuthorities: [],
    timestampAuthorities: [],
    tlogs: [],
    ctlogs: [],
    publicKey: () => ({ publicKey: key, validFor: () => true }),
  };
  // A local key, no transparency log, no timestamps: the DSSE signature alone.
  const verifier = new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
  verifier.verify(toSignedEntity(bundle));
  if (envelope.payloadType !== PAYLOAD_TYPE) throw new Error(`payload type ${envelope.payloadType}`);
  const st = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
  if (st._type !== 'https://in-toto.io/Statement/v1' || st.predicateType !== 'https://slsa.dev/provenance/v1')
    throw new Error('not an in-toto SLSA v1 statement');
  console.log(`verified: builder ${st.predicate.runDetails.builder.id}, ${st.subject.length} subject(s)`);
}

async function main() {
  const [cmd, ...args] = process.argv.slice(2);
  if (cmd === 'statement' && args.length === 5) return statement(...args);
  if (cmd === 'sign' && args.length === 4) return sign(...args);
  if (cmd === 'verify' && args.length === 2) return verify(...args);
  throw new Error('usage: dsse_interop.js statement|sign|verify ... (see the header)');
}

main().catch((e) => {
  console.error(`dsse_interop: ${e.message}`);
  process.exit(1);
});
