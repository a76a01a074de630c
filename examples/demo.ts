// `npm run demo`: builds examples/decode on an emulated EC2 instance; `npm run demo -- --reapi`
// builds it on the test Remote Execution API engine instead. Both check it against a local build.
if (process.argv.includes('--reapi')) await import('./demo-reapi.js');
else await import('./demo-ec2.js');
