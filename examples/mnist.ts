// Placeholder until the examples issue lands: the CNN training example is not written yet.
console.log('npm run mnist: not yet. The MNIST CNN example comes with the examples issue; see README.md.');
