import './owner-query.js';
