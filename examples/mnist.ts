// The Keras MNIST CNN (see mnistCnn: Conv2d(32, 3x3) - MaxPool - Conv2d(64, 3x3) - MaxPool -
// Dense(64) - Dense(10)), trained with Adam (cosine learning-rate decay) on sparse categorical cross-entropy.
//   npm run mnist -- --epochs 5 --batch-size 64
import { mnistCnn } from './common/mnist.js';
import { trainMnistCnn } from './common/trainMnistCnn.js';

await trainMnistCnn('mnist', mnistCnn);
