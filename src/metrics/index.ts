// dg.metrics: classification metrics, on their own (async, read back) and for fit (device-side sums).
export { accuracy, binaryAccuracy, confusionMatrix, precision, recall, f1, type ScoreOptions } from './functions.js';
export { accuracyMetric, scoreMetric, metricByName, METRIC_NAMES, type Metric, type MetricName } from './metric.js';
export type { ClassOptions } from './classes.js';
