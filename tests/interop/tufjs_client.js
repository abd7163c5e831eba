// tufjs_client.js - an independent TUF client (tuf-js) for the
// interoperability tests: refreshes from a repository made by
// `rampart repo`, then finds and downloads each target.
//
//   node tufjs_client.js METADATA_DIR METADATA_URL TARGET_URL TARGET_DIR [PATH...]
//
// METADATA_DIR must already hold the trusted root.json.  Prints one line per
// target ("ok PATH LENGTH"), and one with its custom metadata when it has
// some ("custom PATH JSON", as JSON.stringify writes it), and exits 0; on
// any failure prints the error and exits 1.
'use strict';

const fs = require('fs');
const path = require('path');
const { Updater } = require('tuf-js');

async function main(argv) {
  if (argv.length < 4) {
    console.error('usage: tufjs_client.js METADATA_DIR METADATA_URL TARGET_URL TARGET_DIR [PATH...]');
    return 2;
  }
  const [metadataDir, metadataBaseUrl, targetBaseUrl, targetDir, ...targets] = argv;
  const updater = new Updater({ metadataDir, metadataBaseUrl, targetBaseUrl, targetDir });
  await updater.refresh();
  console.log('refresh ok');
  for (const t of targets) {
    const info = await updater.getTargetInfo(t);
    if (info === undefined) {
      console.error(`target not found: ${t}`);
      return 1;
    }
    if (info.custom !== undefined && Object.keys(info.custom).length > 0) {
      console.log(`custom ${t} ${JSON.stringify(info.custom)}`);
    }
    const dest = path.join(targetDir, t);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    await updater.downloadTarget(info, dest);
    console.log(`ok ${t} ${info.length}`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`tuf-js: ${err && err.constructor ? err.constructor.name : 'Error'}: ${err && err.message}`);
    process.exit(1);
  },
);
