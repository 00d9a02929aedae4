#!/usr/bin/env node
// The CLI is TypeScript, consumed as source: load tsx's loader in this process, then run it.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
