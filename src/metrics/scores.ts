// Precision, recall and F1 from a confusion matrix, per class and macro-averaged. A class with
// no predictions (or no examples) scores 0 there, as scikit-learn's zero_division=0 does.
export type Average = 'macro' | 'none';

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

export function perClass(cm: ArrayLike<number>, c: number): { precision: number[]; recall: number[]; f1: number[] } {
  const precision: number[] = [], recall: number[] = [], f1: number[] = [];
  for (let k = 0; k < c; k++) {
    let predicted = 0, actual = 0;
    for (let j = 0; j < c; j++) {
      predicted += cm[j * c + k]!;
      actual += cm[k * c + j]!;
    }
    const tp = cm[k * c + k]!;
    precision.push(ratio(tp, predicted));
    recall.push(ratio(tp, actual));
    f1.push(ratio(2 * tp, predicted + actual));
  }
  return { precision, recall, f1 };
}

export function macro(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
