// `npm run bench` entry point (package.json points here); the benchmark itself is run-bench.mjs.
import './run-bench.mjs';
