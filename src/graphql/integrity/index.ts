/** Query.ledgerIntegrity and its type: the ledger checking itself (DESIGN §2a). */
import './ledger-integrity-query.js';
