import { scenarioTests } from './_scenarios.js';

scenarioTests(1, 2);
