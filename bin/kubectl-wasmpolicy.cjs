#!/usr/bin/env node
'use strict';
require('../dist/kubectl-wasmpolicy.cjs');
