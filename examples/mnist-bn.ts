// The MNIST CNN of examples/mnist.ts with BatchNorm2d after each convolution (see mnistBnCnn),
// trained the same way: Adam with cosine learning-rate decay, sparse categorical cross-entropy.
// fit trains in training mode (batch statistics, running estimates updated on the device);
// validation, the test evaluation and the saved model's predictions use the running estimates.
//   npm run mnist:bn -- --epochs 5 --batch-size 64
import { mnistBnCnn } from './common/mnist.js';
import { trainMnistCnn } from './common/trainMnistCnn.js';

await trainMnistCnn('mnist-bn', mnistBnCnn);
