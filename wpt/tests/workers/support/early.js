// Runs a long top-level script first: messages sent meanwhile wait for it.
const got = [];
let sum = 0;
for (let i = 0; i < 1e6; i++) sum += i;
onmessage = (event) => {
  got.push(event.data);
  if (got.length === 3) postMessage(got);
};
