<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
    <context>
        <name>AccountView</name>
        <message>
            <source>Channel of meter {meter}: the collection system cannot be asked now.</source>
            <translation>Channel of meter {meter}: the collection system cannot be asked now.</translation>
        </message>
        <message>
            <source>Channel of meter {meter}: last good read {when}; {failures} failure(s) today.</source>
            <translation>Channel of meter {meter}: last good read {when}; {failures} failure(s) today.</translation>
        </message>
        <message>
            <source>The channel keeps failing today (last: {reason}): suggest writing the purchase to the card instead (F6) before the customer leaves.</source>
            <translation>The channel keeps failing today (last: {reason}): suggest writing the purchase to the card instead (F6) before the customer leaves.</translation>
        </message>
        <message>
            <source>Account</source>
            <translation>Account</translation>
        </message>
        <message>
            <source>Arrears</source>
            <translation>Arrears</translation>
        </message>
        <message>
            <source>Prepayment</source>
            <translation>Prepayment</translation>
        </message>
        <message>
            <source>Recent payments</source>
            <translation>Recent payments</translation>
        </message>
        <message>
            <source>Recent purchases</source>
            <translation>Recent purchases</translation>
        </message>
        <message>
            <source>Meter no.</source>
            <translation>Meter no.</translation>
        </message>
        <message>
            <source>Mode</source>
            <translation>Mode</translation>
        </message>
        <message>
            <source>Collection</source>
            <translation>Collection</translation>
        </message>
        <message>
            <source>Balance</source>
            <translation>Balance</translation>
        </message>
        <message>
            <source>Count</source>
            <translation>Count</translation>
        </message>
        <message>
            <source>Relay</source>
            <translation>Relay</translation>
        </message>
        <message>
            <source>Last seen</source>
            <translation>Last seen</translation>
        </message>
        <message>
            <source>Time</source>
            <translation>Time</translation>
        </message>
        <message>
            <source>Receipt</source>
            <translation>Receipt</translation>
        </message>
        <message>
            <source>Amount</source>
            <translation>Amount</translation>
        </message>
        <message>
            <source>Channel</source>
            <translation>Channel</translation>
        </message>
        <message>
            <source>Outcome</source>
            <translation>Outcome</translation>
        </message>
        <message>
            <source>Meter</source>
            <translation>Meter</translation>
        </message>
        <message>
            <source>State</source>
            <translation>State</translation>
        </message>
        <message>
            <source>Last dispatch</source>
            <translation>Last dispatch</translation>
        </message>
        <message>
            <source>No customer — press F2 to search</source>
            <translation>No customer — press F2 to search</translation>
        </message>
        <message>
            <source>{name} · customer no. {customer_no}</source>
            <translation>{name} · customer no. {customer_no}</translation>
        </message>
        <message>
            <source>Address: {address}   Phone: {phone}</source>
            <translation>Address: {address}   Phone: {phone}</translation>
        </message>
        <message>
            <source>not in use</source>
            <translation>not in use</translation>
        </message>
        <message>
            <source>to reconcile</source>
            <translation>to reconcile</translation>
        </message>
        <message>
            <source>not a card meter</source>
            <translation>not a card meter</translation>
        </message>
    </context>
    <context>
        <name>CardWriteDialog</name>
        <message>
            <source>Write purchase card</source>
            <translation>Write purchase card</translation>
        </message>
        <message>
            <source>Meter</source>
            <translation>Meter</translation>
        </message>
        <message>
            <source>Amount to write</source>
            <translation>Amount to write</translation>
        </message>
        <message>
            <source>{amount} — purchase no. {count} that could not be dispatched (R10)</source>
            <translation>{amount} — purchase no. {count} that could not be dispatched (R10)</translation>
        </message>
        <message>
            <source>{amount} — the whole prepayment (R6)</source>
            <translation>{amount} — the whole prepayment (R6)</translation>
        </message>
        <message>
            <source>Insert the customer&apos;s card, then press F3 to read it.</source>
            <translation>Insert the customer&apos;s card, then press F3 to read it.</translation>
        </message>
        <message>
            <source>Read card (F3)</source>
            <translation>Read card (F3)</translation>
        </message>
        <message>
            <source>Write card (Enter)</source>
            <translation>Write card (Enter)</translation>
        </message>
        <message>
            <source>Close (Esc)</source>
            <translation>Close (Esc)</translation>
        </message>
        <message>
            <source>Card inserted ({reader}).</source>
            <translation>Card inserted ({reader}).</translation>
        </message>
        <message>
            <source>Card removed ({reader}).</source>
            <translation>Card removed ({reader}).</translation>
        </message>
        <message>
            <source>This customer has no card meter.</source>
            <translation>This customer has no card meter.</translation>
        </message>
        <message>
            <source>Reading the card again: is purchase no. {count} on it? (R12)</source>
            <translation>Reading the card again: is purchase no. {count} on it? (R12)</translation>
        </message>
        <message>
            <source>Reading the card…</source>
            <translation>Reading the card…</translation>
        </message>
        <message>
            <source>Card {serial}: customer {customer_no}, meter {meter_no}; purchase no. {count} of {amount} on the card.</source>
            <translation>Card {serial}: customer {customer_no}, meter {meter_no}; purchase no. {count} of {amount} on the card.</translation>
        </message>
        <message>
            <source>Write-back from the meter: balance {balance}, count {count} (R13); applying.</source>
            <translation>Write-back from the meter: balance {balance}, count {count} (R13); applying.</translation>
        </message>
        <message>
            <source>The meter has loaded {n} purchase(s); committed count now {count}.</source>
            <translation>The meter has loaded {n} purchase(s); committed count now {count}.</translation>
        </message>
        <message>
            <source>To reconcile: {flag}</source>
            <translation>To reconcile: {flag}</translation>
        </message>
        <message>
            <source>Card is for meter {card_meter}; chosen meter {meter} (R12).</source>
            <translation>Card is for meter {card_meter}; chosen meter {meter} (R12).</translation>
        </message>
        <message>
            <source>Card serial {serial} is the card registered for this meter (R12).</source>
            <translation>Card serial {serial} is the card registered for this meter (R12).</translation>
        </message>
        <message>
            <source>Card count C = {card}; system&apos;s last committed count = {committed}: they must be equal, the new purchase gets n = {n} (R12).</source>
            <translation>Card count C = {card}; system&apos;s last committed count = {committed}: they must be equal, the new purchase gets n = {n} (R12).</translation>
        </message>
        <message>
            <source>The previous purchase on the card has reached the meter (R12a); otherwise the customer must insert the card into the meter first.</source>
            <translation>The previous purchase on the card has reached the meter (R12a); otherwise the customer must insert the card into the meter first.</translation>
        </message>
        <message>
            <source>There is {amount} to write.</source>
            <translation>There is {amount} to write.</translation>
        </message>
        <message>
            <source>Checks passed. Press Enter to write the card.</source>
            <translation>Checks passed. Press Enter to write the card.</translation>
        </message>
        <message>
            <source>The card cannot be written; see the checks above.</source>
            <translation>The card cannot be written; see the checks above.</translation>
        </message>
        <message>
            <source>Recording the card write before writing (R12)…</source>
            <translation>Recording the card write before writing (R12)…</translation>
        </message>
        <message>
            <source>Writing purchase no. {count} of {amount} to the card…</source>
            <translation>Writing purchase no. {count} of {amount} to the card…</translation>
        </message>
        <message>
            <source>The write did not finish: {error} Reading the card again…</source>
            <translation>The write did not finish: {error} Reading the card again…</translation>
        </message>
        <message>
            <source>The card could not be read ({error}). Put the card back and press F3: the purchase stays “writing card” until the card is read.</source>
            <translation>The card could not be read ({error}). Put the card back and press F3: the purchase stays “writing card” until the card is read.</translation>
        </message>
        <message>
            <source>The card does carry the purchase: confirming.</source>
            <translation>The card does carry the purchase: confirming.</translation>
        </message>
        <message>
            <source>The card is unchanged: the write is abandoned; try again.</source>
            <translation>The card is unchanged: the write is abandoned; try again.</translation>
        </message>
        <message>
            <source>The card shows another purchase: nothing more is written. Call the supervisor (reconciliation).</source>
            <translation>The card shows another purchase: nothing more is written. Call the supervisor (reconciliation).</translation>
        </message>
        <message>
            <source>Read back: the card holds purchase no. {count} of {amount}.</source>
            <translation>Read back: the card holds purchase no. {count} of {amount}.</translation>
        </message>
        <message>
            <source>Card written. The customer inserts it into meter {meter}; the meter loads purchase no. {count}.</source>
            <translation>Card written. The customer inserts it into meter {meter}; the meter loads purchase no. {count}.</translation>
        </message>
        <message>
            <source>Error: {error}</source>
            <translation>Error: {error}</translation>
        </message>
        <message>
            <source>Wait: the card is being written.</source>
            <translation>Wait: the card is being written.</translation>
        </message>
    </context>
    <context>
        <name>CheckPanel</name>
        <message>
            <source>System check</source>
            <translation>System check</translation>
        </message>
    </context>
    <context>
        <name>ConfirmPaymentDialog</name>
        <message>
            <source>Confirm payment</source>
            <translation>Confirm payment</translation>
        </message>
        <message>
            <source>Cash tendered {tendered}, change {change}.</source>
            <translation>Cash tendered {tendered}, change {change}.</translation>
        </message>
        <message>
            <source>Checked with the customer</source>
            <translation>Checked with the customer</translation>
        </message>
        <message>
            <source>Confirm and take payment (Enter)</source>
            <translation>Confirm and take payment (Enter)</translation>
        </message>
        <message>
            <source>Back (Esc)</source>
            <translation>Back (Esc)</translation>
        </message>
    </context>
    <context>
        <name>Errors</name>
        <message>
            <source>Enter an amount.</source>
            <translation>Enter an amount.</translation>
        </message>
        <message>
            <source>“{text}” is not an amount in yuan.</source>
            <translation>“{text}” is not an amount in yuan.</translation>
        </message>
        <message>
            <source>The amount cannot be negative.</source>
            <translation>The amount cannot be negative.</translation>
        </message>
        <message>
            <source>At most two decimals (fen).</source>
            <translation>At most two decimals (fen).</translation>
        </message>
        <message>
            <source>The amount is above the limit of {max} yuan.</source>
            <translation>The amount is above the limit of {max} yuan.</translation>
        </message>
        <message>
            <source>The amount must be above zero.</source>
            <translation>The amount must be above zero.</translation>
        </message>
        <message>
            <source>“{text}” is not accepted: type the amount in full, e.g. 1000.</source>
            <translation>“{text}” is not accepted: type the amount in full, e.g. 1000.</translation>
        </message>
        <message>
            <source>The amount is not valid.</source>
            <translation>The amount is not valid.</translation>
        </message>
        <message>
            <source>The card amount is more than the prepayment balance.</source>
            <translation>The card amount is more than the prepayment balance.</translation>
        </message>
        <message>
            <source>There is no prepayment to load onto the card.</source>
            <translation>There is no prepayment to load onto the card.</translation>
        </message>
        <message>
            <source>This meter is not a card meter.</source>
            <translation>This meter is not a card meter.</translation>
        </message>
        <message>
            <source>This meter is not in use.</source>
            <translation>This meter is not in use.</translation>
        </message>
        <message>
            <source>An earlier purchase for this meter has not reached the meter yet.</source>
            <translation>An earlier purchase for this meter has not reached the meter yet.</translation>
        </message>
        <message>
            <source>The smart-card service is not running. Start it (Windows: Smart Card service; Linux: pcscd) and try again.</source>
            <translation>The smart-card service is not running. Start it (Windows: Smart Card service; Linux: pcscd) and try again.</translation>
        </message>
        <message>
            <source>No card reader is attached.</source>
            <translation>No card reader is attached.</translation>
        </message>
        <message>
            <source>There is no card in the reader. Insert the customer&apos;s card.</source>
            <translation>There is no card in the reader. Insert the customer&apos;s card.</translation>
        </message>
        <message>
            <source>The card was removed during the operation. Put it back: the card is read again to see whether the write happened (it is never written twice).</source>
            <translation>The card was removed during the operation. Put it back: the card is read again to see whether the write happened (it is never written twice).</translation>
        </message>
        <message>
            <source>Another program is using the card. Close it and retry.</source>
            <translation>Another program is using the card. Close it and retry.</translation>
        </message>
        <message>
            <source>The card reader reported an error in {step}.</source>
            <translation>The card reader reported an error in {step}.</translation>
        </message>
        <message>
            <source>The card refused {step}.</source>
            <translation>The card refused {step}.</translation>
        </message>
        <message>
            <source>The card refused the security check: it is not one of ours or the keys are wrong.</source>
            <translation>The card refused the security check: it is not one of ours or the keys are wrong.</translation>
        </message>
        <message>
            <source>This card is blocked: too many failed key checks. It cannot be used at the counter. Send the customer to the technician&apos;s workbench to unblock or re-issue the card.</source>
            <translation>This card is blocked: too many failed key checks. It cannot be used at the counter. Send the customer to the technician&apos;s workbench to unblock or re-issue the card.</translation>
        </message>
        <message>
            <source>The card failed the security check of its {what}: it is forged or not one of ours. Nothing is written or recorded from it; keep the card and call the technician.</source>
            <translation>The card failed the security check of its {what}: it is forged or not one of ours. Nothing is written or recorded from it; keep the card and call the technician.</translation>
        </message>
        <message>
            <source>The card carries purchase no. {count} of {card_amount_fen} fen, not {expected_fen} fen; it is not cleared.</source>
            <translation>The card carries purchase no. {count} of {card_amount_fen} fen, not {expected_fen} fen; it is not cleared.</translation>
        </message>
        <message>
            <source>This card is blank (never issued).</source>
            <translation>This card is blank (never issued).</translation>
        </message>
        <message>
            <source>The card&apos;s files are damaged or not in the expected format.</source>
            <translation>The card&apos;s files are damaged or not in the expected format.</translation>
        </message>
        <message>
            <source>Wrong card: its {field} is {found}, this account expects {expected}.</source>
            <translation>Wrong card: its {field} is {found}, this account expects {expected}.</translation>
        </message>
        <message>
            <source>The card&apos;s purchase count is {card_count}; the system expects {expected} (R12). The card is not written.</source>
            <translation>The card&apos;s purchase count is {card_count}; the system expects {expected} (R12). The card is not written.</translation>
        </message>
        <message>
            <source>This purchase is already on the card; it is not written again.</source>
            <translation>This purchase is already on the card; it is not written again.</translation>
        </message>
        <message>
            <source>The previous purchase on this card has not reached the meter (R12a). Ask the customer to insert the card into the meter first.</source>
            <translation>The previous purchase on this card has not reached the meter (R12a). Ask the customer to insert the card into the meter first.</translation>
        </message>
        <message>
            <source>The meter has already loaded this purchase.</source>
            <translation>The meter has already loaded this purchase.</translation>
        </message>
        <message>
            <source>The amount cannot be written to a card.</source>
            <translation>The amount cannot be written to a card.</translation>
        </message>
        <message>
            <source>This card is already issued; use a blank card.</source>
            <translation>This card is already issued; use a blank card.</translation>
        </message>
        <message>
            <source>No card keys are configured on this counter.</source>
            <translation>No card keys are configured on this counter.</translation>
        </message>
        <message>
            <source>This payment is already reversed.</source>
            <translation>This payment is already reversed.</translation>
        </message>
        <message>
            <source>A dispatch of this purchase may have reached the meter. The meter is probed first (R8); try again after the probe.</source>
            <translation>A dispatch of this purchase may have reached the meter. The meter is probed first (R8); try again after the probe.</translation>
        </message>
        <message>
            <source>A card write of this purchase is unresolved. Read the card again first (R16).</source>
            <translation>A card write of this purchase is unresolved. Read the card again first (R16).</translation>
        </message>
        <message>
            <source>The purchase is on the customer&apos;s card. Read and clear the card first (R16).</source>
            <translation>The purchase is on the customer&apos;s card. Read and clear the card first (R16).</translation>
        </message>
        <message>
            <source>A reversal needs a supervisor&apos;s sign-in (R15).</source>
            <translation>A reversal needs a supervisor&apos;s sign-in (R15).</translation>
        </message>
        <message>
            <source>A teller cannot authorize their own reversal.</source>
            <translation>A teller cannot authorize their own reversal.</translation>
        </message>
        <message>
            <source>A reversal needs a reason.</source>
            <translation>A reversal needs a reason.</translation>
        </message>
        <message>
            <source>Wrong user name or password.</source>
            <translation>Wrong user name or password.</translation>
        </message>
        <message>
            <source>{username} ({role}) is not allowed to {action}.</source>
            <translation>{username} ({role}) is not allowed to {action}.</translation>
        </message>
        <message>
            <source>The account {username} is locked after too many wrong passwords, until {until} UTC. An administrator can reset the password.</source>
            <translation>The account {username} is locked after too many wrong passwords, until {until} UTC. An administrator can reset the password.</translation>
        </message>
        <message>
            <source>No customer “{customer}”.</source>
            <translation>No customer “{customer}”.</translation>
        </message>
        <message>
            <source>No meter “{meter}”.</source>
            <translation>No meter “{meter}”.</translation>
        </message>
        <message>
            <source>No such payment.</source>
            <translation>No such payment.</translation>
        </message>
        <message>
            <source>No user “{username}”.</source>
            <translation>No user “{username}”.</translation>
        </message>
        <message>
            <source>{field}: {problem}</source>
            <translation>{field}: {problem}</translation>
        </message>
        <message>
            <source>The purchase is {state}; this step is not possible now.</source>
            <translation>The purchase is {state}; this step is not possible now.</translation>
        </message>
        <message>
            <source>The card was refused: {detail}</source>
            <translation>The card was refused: {detail}</translation>
        </message>
        <message>
            <source>The reversal was refused: {detail}</source>
            <translation>The reversal was refused: {detail}</translation>
        </message>
        <message>
            <source>The meter link cannot be opened. Check the collection channel connection.</source>
            <translation>The meter link cannot be opened. Check the collection channel connection.</translation>
        </message>
        <message>
            <source>The meter did not answer.</source>
            <translation>The meter did not answer.</translation>
        </message>
        <message>
            <source>The meter&apos;s answer was garbled (line noise).</source>
            <translation>The meter&apos;s answer was garbled (line noise).</translation>
        </message>
        <message>
            <source>The meter refused the command: {reasons}.</source>
            <translation>The meter refused the command: {reasons}.</translation>
        </message>
        <message>
            <source>The meter link failed.</source>
            <translation>The meter link failed.</translation>
        </message>
        <message>
            <source>No Chinese font for receipts was found. Install fonts-wqy-microhei or set COUNTER_RECEIPT_FONT to a .ttf/.ttc file.</source>
            <translation>No Chinese font for receipts was found. Install fonts-wqy-microhei or set COUNTER_RECEIPT_FONT to a .ttf/.ttc file.</translation>
        </message>
        <message>
            <source>The device did not answer in time.</source>
            <translation>The device did not answer in time.</translation>
        </message>
        <message>
            <source>The database cannot be reached.</source>
            <translation>The database cannot be reached.</translation>
        </message>
        <message>
            <source>use the counter</source>
            <translation>use the counter</translation>
        </message>
        <message>
            <source>take payments</source>
            <translation>take payments</translation>
        </message>
        <message>
            <source>write purchase cards</source>
            <translation>write purchase cards</translation>
        </message>
        <message>
            <source>authorize reversals</source>
            <translation>authorize reversals</translation>
        </message>
        <message>
            <source>see work orders</source>
            <translation>see work orders</translation>
        </message>
        <message>
            <source>take work orders</source>
            <translation>take work orders</translation>
        </message>
        <message>
            <source>retry dispatches</source>
            <translation>retry dispatches</translation>
        </message>
        <message>
            <source>close work orders</source>
            <translation>close work orders</translation>
        </message>
        <message>
            <source>inspect cards</source>
            <translation>inspect cards</translation>
        </message>
        <message>
            <source>apply card write-backs</source>
            <translation>apply card write-backs</translation>
        </message>
        <message>
            <source>issue cards</source>
            <translation>issue cards</translation>
        </message>
        <message>
            <source>re-issue cards</source>
            <translation>re-issue cards</translation>
        </message>
        <message>
            <source>clear cards</source>
            <translation>clear cards</translation>
        </message>
        <message>
            <source>unblock cards</source>
            <translation>unblock cards</translation>
        </message>
        <message>
            <source>see the SMS outbox</source>
            <translation>see the SMS outbox</translation>
        </message>
        <message>
            <source>send SMS</source>
            <translation>send SMS</translation>
        </message>
        <message>
            <source>manage users</source>
            <translation>manage users</translation>
        </message>
        <message>
            <source>read the audit log</source>
            <translation>read the audit log</translation>
        </message>
        <message>
            <source>open a shift</source>
            <translation>open a shift</translation>
        </message>
        <message>
            <source>close a shift</source>
            <translation>close a shift</translation>
        </message>
        <message>
            <source>see every open shift</source>
            <translation>see every open shift</translation>
        </message>
        <message>
            <source>see the success board</source>
            <translation>see the success board</translation>
        </message>
        <message>
            <source>issue bills</source>
            <translation>issue bills</translation>
        </message>
        <message>
            <source>settle the hall&apos;s day</source>
            <translation>settle the hall's day</translation>
        </message>
        <message>
            <source>change their own role</source>
            <translation>change their own role</translation>
        </message>
        <message>
            <source>deactivate their own account</source>
            <translation>deactivate their own account</translation>
        </message>
        <message>
            <source>work another person&apos;s shift</source>
            <translation>work another person's shift</translation>
        </message>
        <message>
            <source>Cannot continue</source>
            <translation>Cannot continue</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <source>Result not yet known (下发中): the collection system cannot be reached; the task waits in the outbox and is sent when it is back. The receipt says 下发中 and the customer gets the result by SMS. Do not take the money again.</source>
            <translation>Result not yet known (下发中): the collection system cannot be reached; the task waits in the outbox and is sent when it is back. The receipt says 下发中 and the customer gets the result by SMS. Do not take the money again.</translation>
        </message>
        <message>
            <source>Result not yet known (下发中): the collection system has the task for purchase no. {count}. The receipt says 下发中 and the customer gets the result by SMS. Do not take the money again.</source>
            <translation>Result not yet known (下发中): the collection system has the task for purchase no. {count}. The receipt says 下发中 and the customer gets the result by SMS. Do not take the money again.</translation>
        </message>
        <message>
            <source>The collection system reported the result of purchase no. {count}.</source>
            <translation>The collection system reported the result of purchase no. {count}.</translation>
        </message>
        <message>
            <source>Electricity purchase counter</source>
            <translation>Electricity purchase counter</translation>
        </message>
        <message>
            <source>Operator: {name} ({role})</source>
            <translation>Operator: {name} ({role})</translation>
        </message>
        <message>
            <source>Counter: {counter}</source>
            <translation>Counter: {counter}</translation>
        </message>
        <message>
            <source>Back office… (F10)</source>
            <translation>Back office… (F10)</translation>
        </message>
        <message>
            <source>F2 search · F3 read card · F5 pay · Enter confirm · F6 write card · F8 reversal · F9 print · Ctrl+P reprint · Esc next customer · F10 back office</source>
            <translation>F2 search · F3 read card · F5 pay · Enter confirm · F6 write card · F8 reversal · F9 print · Ctrl+P reprint · Esc next customer · F10 back office</translation>
        </message>
        <message>
            <source>day shift</source>
            <translation>day shift</translation>
        </message>
        <message>
            <source>night shift</source>
            <translation>night shift</translation>
        </message>
        <message>
            <source>Shift: {day} {shift} (since {time})</source>
            <translation>Shift: {day} {shift} (since {time})</translation>
        </message>
        <message>
            <source>Not loaded: {outcome} after {attempts} attempt(s). A re-dispatch work order is open (R10).</source>
            <translation>Not loaded: {outcome} after {attempts} attempt(s). A re-dispatch work order is open (R10).</translation>
        </message>
        <message>
            <source>Nothing to reprint: open a customer who has paid (F2).</source>
            <translation>Nothing to reprint: open a customer who has paid (F2).</translation>
        </message>
        <message>
            <source>Nothing to write to a card for this customer.</source>
            <translation>Nothing to write to a card for this customer.</translation>
        </message>
        <message>
            <source>Card reader: ready</source>
            <translation>Card reader: ready</translation>
        </message>
        <message>
            <source>Card reader: not available</source>
            <translation>Card reader: not available</translation>
        </message>
        <message>
            <source>Write purchase card (F6)</source>
            <translation>Write purchase card (F6)</translation>
        </message>
        <message>
            <source>Print receipt (F9)</source>
            <translation>Print receipt (F9)</translation>
        </message>
        <message>
            <source>Reprint as COPY (Ctrl+P)</source>
            <translation>Reprint as COPY (Ctrl+P)</translation>
        </message>
        <message>
            <source>Reversal… (F8)</source>
            <translation>Reversal… (F8)</translation>
        </message>
        <message>
            <source>Next customer (Esc)</source>
            <translation>Next customer (Esc)</translation>
        </message>
        <message>
            <source>Shift no. {id} (opened {time})</source>
            <translation>Shift no. {id} (opened {time})</translation>
        </message>
        <message>
            <source>This counter has no card reader (F6 is off): write the card at a counter with a reader.</source>
            <translation>This counter has no card reader (F6 is off): write the card at a counter with a reader.</translation>
        </message>
        <message>
            <source>Write the card now (F6).</source>
            <translation>Write the card now (F6).</translation>
        </message>
        <message>
            <source>Loading {customer_no}…</source>
            <translation>Loading {customer_no}…</translation>
        </message>
        <message>
            <source>Wait: the current payment is still being processed.</source>
            <translation>Wait: the current payment is still being processed.</translation>
        </message>
        <message>
            <source>Large amount: {amount}. Check the amount with the customer.</source>
            <translation>Large amount: {amount}. Check the amount with the customer.</translation>
        </message>
        <message>
            <source>Meter {meter} last showed {balance}; with this purchase it would hold {after}, above its hoarding limit of {limit} (R21). The meter will refuse it: at most {room} can be loaded now.</source>
            <translation>Meter {meter} last showed {balance}; with this purchase it would hold {after}, above its hoarding limit of {limit} (R21). The meter will refuse it: at most {room} can be loaded now.</translation>
        </message>
        <message>
            <source>Recording the payment…</source>
            <translation>Recording the payment…</translation>
        </message>
        <message>
            <source>The step failed.</source>
            <translation>The step failed.</translation>
        </message>
        <message>
            <source>Payment recorded, receipt {receipt_no}.</source>
            <translation>Payment recorded, receipt {receipt_no}.</translation>
        </message>
        <message>
            <source>Cash tendered {tendered}: give back {change}.</source>
            <translation>Cash tendered {tendered}: give back {change}.</translation>
        </message>
        <message>
            <source>Arrears settled: {fen}.</source>
            <translation>Arrears settled: {fen}.</translation>
        </message>
        <message>
            <source>Purchase no. {count} of {fee} goes to meter {address}.</source>
            <translation>Purchase no. {count} of {fee} goes to meter {address}.</translation>
        </message>
        <message>
            <source>Nothing to reverse: this customer has no payment that can be reversed.</source>
            <translation>Nothing to reverse: this customer has no payment that can be reversed.</translation>
        </message>
        <message>
            <source>Payment {receipt_no} is already reversed.</source>
            <translation>Payment {receipt_no} is already reversed.</translation>
        </message>
        <message>
            <source>Payment {receipt_no} reversed.</source>
            <translation>Payment {receipt_no} reversed.</translation>
        </message>
        <message>
            <source>The payment is reversed.</source>
            <translation>The payment is reversed.</translation>
        </message>
        <message>
            <source>Kept in prepayment: {reason}.</source>
            <translation>Kept in prepayment: {reason}.</translation>
        </message>
        <message>
            <source>Sending to the meter…</source>
            <translation>Sending to the meter…</translation>
        </message>
        <message>
            <source>Attempt {attempt} of {of}: {step}</source>
            <translation>Attempt {attempt} of {of}: {step}</translation>
        </message>
        <message>
            <source>Sending to the meter: {step} (attempt {attempt} of {of})…</source>
            <translation>Sending to the meter: {step} (attempt {attempt} of {of})…</translation>
        </message>
        <message>
            <source>Loaded: {outcome}. Meter balance now {balance}.</source>
            <translation>Loaded: {outcome}. Meter balance now {balance}.</translation>
        </message>
        <message>
            <source>Unresolved: {outcome}. The purchase stays as it is until the meter is probed (R8); do not take the money again.</source>
            <translation>Unresolved: {outcome}. The purchase stays as it is until the meter is probed (R8); do not take the money again.</translation>
        </message>
        <message>
            <source>No card reader is available.</source>
            <translation>No card reader is available.</translation>
        </message>
        <message>
            <source>Reading the card…</source>
            <translation>Reading the card…</translation>
        </message>
        <message>
            <source>Card {serial}: customer {customer_no}, meter {meter_no}.</source>
            <translation>Card {serial}: customer {customer_no}, meter {meter_no}.</translation>
        </message>
        <message>
            <source>Write-back of meter {meter_no}: balance {balance}, count {count}; {loaded} purchase(s) confirmed loaded (R13).</source>
            <translation>Write-back of meter {meter_no}: balance {balance}, count {count}; {loaded} purchase(s) confirmed loaded (R13).</translation>
        </message>
        <message>
            <source>To reconcile: {flags}</source>
            <translation>To reconcile: {flags}</translation>
        </message>
        <message>
            <source>Card reader: card inserted</source>
            <translation>Card reader: card inserted</translation>
        </message>
        <message>
            <source>Card reader: no card</source>
            <translation>Card reader: no card</translation>
        </message>
        <message>
            <source>Card reader: PC/SC service stopped</source>
            <translation>Card reader: PC/SC service stopped</translation>
        </message>
        <message>
            <source>Offset arrears from prepayment…</source>
            <translation>Offset arrears from prepayment…</translation>
        </message>
        <message>
            <source>Transfer prepayment…</source>
            <translation>Transfer prepayment…</translation>
        </message>
        <message>
            <source>F2 search · F3 read card · F5 pay · Enter confirm · F6 write card · F7 check meter · F8 reversal · F9 print · Ctrl+P reprint · Esc next customer · F10 back office</source>
            <translation>F2 search · F3 read card · F5 pay · Enter confirm · F6 write card · F7 check meter · F8 reversal · F9 print · Ctrl+P reprint · Esc next customer · F10 back office</translation>
        </message>
        <message>
            <source>Unresolved: {outcome}. Do not take the money again. Next step: press F7 to check the meter (R8): the purchase is then loaded, or a re-dispatch work order opens (R10).</source>
            <translation>Unresolved: {outcome}. Do not take the money again. Next step: press F7 to check the meter (R8): the purchase is then loaded, or a re-dispatch work order opens (R10).</translation>
        </message>
        <message>
            <source>Checking the meter (R8)…</source>
            <translation>Checking the meter (R8)…</translation>
        </message>
        <message>
            <source>Nothing waits for the meter: every purchase has its next step.</source>
            <translation>Nothing waits for the meter: every purchase has its next step.</translation>
        </message>
        <message>
            <source>Meter checked: {loaded} purchase(s) loaded; {orders} re-dispatch work order(s) open (R10): inspection staff retry them, or write the card (F6).</source>
            <translation>Meter checked: {loaded} purchase(s) loaded; {orders} re-dispatch work order(s) open (R10): inspection staff retry them, or write the card (F6).</translation>
        </message>
        <message>
            <source>No meter link is configured: the purchases stay queued.</source>
            <translation>No meter link is configured: the purchases stay queued.</translation>
        </message>
    </context>
    <context>
        <name>OffsetDialog</name>
        <message>
            <source>Offset arrears from prepayment</source>
            <translation>Offset arrears from prepayment</translation>
        </message>
        <message>
            <source>Arrears {arrears}, prepayment {prepayment}: {amount} settles arrears.</source>
            <translation>Arrears {arrears}, prepayment {prepayment}: {amount} settles arrears.</translation>
        </message>
        <message>
            <source>Arrears remain afterwards: nothing is dispatched (R4).</source>
            <translation>Arrears remain afterwards: nothing is dispatched (R4).</translation>
        </message>
        <message>
            <source>All arrears are settled: the rest of the prepayment may be dispatched.</source>
            <translation>All arrears are settled: the rest of the prepayment may be dispatched.</translation>
        </message>
        <message>
            <source>Why is the prepayment used for arrears?</source>
            <translation>Why is the prepayment used for arrears?</translation>
        </message>
        <message>
            <source>Authorize and offset</source>
            <translation>Authorize and offset</translation>
        </message>
        <message>
            <source>Cancel (Esc)</source>
            <translation>Cancel (Esc)</translation>
        </message>
        <message>
            <source>Enter the reason.</source>
            <translation>Enter the reason.</translation>
        </message>
        <message>
            <source>A supervisor must sign with their own user name and password.</source>
            <translation>A supervisor must sign with their own user name and password.</translation>
        </message>
        <message>
            <source>Offsetting…</source>
            <translation>Offsetting…</translation>
        </message>
        <message>
            <source>The offset failed.</source>
            <translation>The offset failed.</translation>
        </message>
    </context>
    <context>
        <name>PaymentPanel</name>
        <message>
            <source>The cash tendered ({tendered}) is less than the amount ({amount}).</source>
            <translation>The cash tendered ({tendered}) is less than the amount ({amount}).</translation>
        </message>
        <message>
            <source>Take payment (F5)</source>
            <translation>Take payment (F5)</translation>
        </message>
        <message>
            <source>Amount (yuan)</source>
            <translation>Amount (yuan)</translation>
        </message>
        <message>
            <source>Channel</source>
            <translation>Channel</translation>
        </message>
        <message>
            <source>e.g. 200 or 150.50</source>
            <translation>e.g. 200 or 150.50</translation>
        </message>
        <message>
            <source>Pay… (Enter)</source>
            <translation>Pay… (Enter)</translation>
        </message>
        <message>
            <source>Cash tendered (yuan)</source>
            <translation>Cash tendered (yuan)</translation>
        </message>
        <message>
            <source>exact amount</source>
            <translation>exact amount</translation>
        </message>
        <message>
            <source>Change</source>
            <translation>Change</translation>
        </message>
    </context>
    <context>
        <name>PaymentPlan</name>
        <message>
            <source>Receive {amount} from {name} ({customer_no}) — {channel}.</source>
            <translation>Receive {amount} from {name} ({customer_no}) — {channel}.</translation>
        </message>
        <message>
            <source>Arrears settled first, oldest bill first (R1): {settled} of {arrears}.</source>
            <translation>Arrears settled first, oldest bill first (R1): {settled} of {arrears}.</translation>
        </message>
        <message>
            <source>Arrears left after this payment: {left}.</source>
            <translation>Arrears left after this payment: {left}.</translation>
        </message>
        <message>
            <source>Prepayment: {before} → {after} (this payment adds {added}).</source>
            <translation>Prepayment: {before} → {after} (this payment adds {added}).</translation>
        </message>
        <message>
            <source>Adjusted fee {fee} becomes purchase no. {count} for meter {meter} and is sent to the meter now (R3, remote dispatch).</source>
            <translation>Adjusted fee {fee} becomes purchase no. {count} for meter {meter} and is sent to the meter now (R3, remote dispatch).</translation>
        </message>
        <message>
            <source>Not sent to the meter: {reason}. Write it to the card next (F6).</source>
            <translation>Not sent to the meter: {reason}. Write it to the card next (F6).</translation>
        </message>
        <message>
            <source>Not sent to the meter: {reason}. The money stays in prepayment.</source>
            <translation>Not sent to the meter: {reason}. The money stays in prepayment.</translation>
        </message>
    </context>
    <context>
        <name>ProgressPanel</name>
        <message>
            <source>What is happening</source>
            <translation>What is happening</translation>
        </message>
    </context>
    <context>
        <name>Prompts</name>
        <message>
            <source>Confirm</source>
            <translation>Confirm</translation>
        </message>
        <message>
            <source>Information</source>
            <translation>Information</translation>
        </message>
    </context>
    <context>
        <name>ReceiptPreviewDialog</name>
        <message>
            <source>Receipt {receipt_no}</source>
            <translation>Receipt {receipt_no}</translation>
        </message>
        <message>
            <source> (COPY)</source>
            <translation> (COPY)</translation>
        </message>
        <message>
            <source>80 mm roll</source>
            <translation>80 mm roll</translation>
        </message>
        <message>
            <source>A5 sheet</source>
            <translation>A5 sheet</translation>
        </message>
        <message>
            <source>Print (F9)</source>
            <translation>Print (F9)</translation>
        </message>
        <message>
            <source>Save as PDF…</source>
            <translation>Save as PDF…</translation>
        </message>
        <message>
            <source>Close (Esc)</source>
            <translation>Close (Esc)</translation>
        </message>
        <message>
            <source>Not printed: {error}</source>
            <translation>Not printed: {error}</translation>
        </message>
        <message>
            <source>Printed to {where}.</source>
            <translation>Printed to {where}.</translation>
        </message>
        <message>
            <source>the receipt printer ({kind})</source>
            <translation>the receipt printer ({kind})</translation>
        </message>
        <message>
            <source>Save receipt</source>
            <translation>Save receipt</translation>
        </message>
        <message>
            <source>Saved to {where}.</source>
            <translation>Saved to {where}.</translation>
        </message>
    </context>
    <context>
        <name>ReportDialog</name>
        <message>
            <source>Unexpected error</source>
            <translation>Unexpected error</translation>
        </message>
        <message>
            <source>Something went wrong that the program does not know how to explain. No payment was recorded twice. Copy the details below into a support ticket.</source>
            <translation>Something went wrong that the program does not know how to explain. No payment was recorded twice. Copy the details below into a support ticket.</translation>
        </message>
        <message>
            <source>Copy details</source>
            <translation>Copy details</translation>
        </message>
    </context>
    <context>
        <name>ReversalDialog</name>
        <message>
            <source>Reverse payment {receipt_no}</source>
            <translation>Reverse payment {receipt_no}</translation>
        </message>
        <message>
            <source>Payment {receipt_no} of {amount} on {when} by {operator}.</source>
            <translation>Payment {receipt_no} of {amount} on {when} by {operator}.</translation>
        </message>
        <message>
            <source>Checking which case applies…</source>
            <translation>Checking which case applies…</translation>
        </message>
        <message>
            <source>Why is this payment reversed?</source>
            <translation>Why is this payment reversed?</translation>
        </message>
        <message>
            <source>Authorize and reverse (Enter)</source>
            <translation>Authorize and reverse (Enter)</translation>
        </message>
        <message>
            <source>Cancel (Esc)</source>
            <translation>Cancel (Esc)</translation>
        </message>
        <message>
            <source>This reversal is: {case}</source>
            <translation>This reversal is: {case}</translation>
        </message>
        <message>
            <source>Not possible now: {why}</source>
            <translation>Not possible now: {why}</translation>
        </message>
        <message>
            <source>Enter the reason.</source>
            <translation>Enter the reason.</translation>
        </message>
        <message>
            <source>A supervisor must sign with their own user name and password (R15).</source>
            <translation>A supervisor must sign with their own user name and password (R15).</translation>
        </message>
        <message>
            <source>Reversing…</source>
            <translation>Reversing…</translation>
        </message>
        <message>
            <source>The reversal failed.</source>
            <translation>The reversal failed.</translation>
        </message>
        <message>
            <source>Reversed. Refund {refund} to the customer.</source>
            <translation>Reversed. Refund {refund} to the customer.</translation>
        </message>
        <message>
            <source>The purchase is cancelled; its count is free again.</source>
            <translation>The purchase is cancelled; its count is free again.</translation>
        </message>
        <message>
            <source>The meter keeps {debit}: it is now arrears (R15).</source>
            <translation>The meter keeps {debit}: it is now arrears (R15).</translation>
        </message>
    </context>
    <context>
        <name>SearchPanel</name>
        <message>
            <source>Find customer (F2)</source>
            <translation>Find customer (F2)</translation>
        </message>
        <message>
            <source>Customer, meter, name or phone</source>
            <translation>Customer, meter, name or phone</translation>
        </message>
        <message>
            <source>Customer no., meter no., name or phone — results as you type</source>
            <translation>Customer no., meter no., name or phone — results as you type</translation>
        </message>
        <message>
            <source>Read card (F3)</source>
            <translation>Read card (F3)</translation>
        </message>
        <message>
            <source>Customer no.</source>
            <translation>Customer no.</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>Phone</source>
            <translation>Phone</translation>
        </message>
        <message>
            <source>Meters</source>
            <translation>Meters</translation>
        </message>
        <message>
            <source>Searching…</source>
            <translation>Searching…</translation>
        </message>
        <message>
            <source>No customer matches “{query}”.</source>
            <translation>No customer matches “{query}”.</translation>
        </message>
        <message>
            <source>First {count} results; type more to narrow down.</source>
            <translation>First {count} results; type more to narrow down.</translation>
        </message>
        <message>
            <source>{count} result(s). ↓ to choose, Enter to open.</source>
            <translation>{count} result(s). ↓ to choose, Enter to open.</translation>
        </message>
        <message>
            <source>Search failed: {error}</source>
            <translation>Search failed: {error}</translation>
        </message>
    </context>
    <context>
        <name>SelfCheck</name>
        <message>
            <source>Collection system</source>
            <translation>Collection system</translation>
        </message>
        <message>
            <source>not used: this counter dispatches over its own meter link</source>
            <translation>not used: this counter dispatches over its own meter link</translation>
        </message>
        <message>
            <source>unreachable ({error}): payments wait in the outbox and are sent when it is back</source>
            <translation>unreachable ({error}): payments wait in the outbox and are sent when it is back</translation>
        </message>
        <message>
            <source>{status}: {links} meter link(s), {queued} task(s) queued, {running} running; {waiting} of ours await a result</source>
            <translation>{status}: {links} meter link(s), {queued} task(s) queued, {running} running; {waiting} of ours await a result</translation>
        </message>
        <message>
            <source>Database</source>
            <translation>Database</translation>
        </message>
        <message>
            <source>cannot be opened: {error}</source>
            <translation>cannot be opened: {error}</translation>
        </message>
        <message>
            <source>open, {users} user(s)</source>
            <translation>open, {users} user(s)</translation>
        </message>
        <message>
            <source>open, but no users: run counterctl demo</source>
            <translation>open, but no users: run counterctl demo</translation>
        </message>
        <message>
            <source>Meter link</source>
            <translation>Meter link</translation>
        </message>
        <message>
            <source>not configured: payments stay queued, no remote dispatch</source>
            <translation>not configured: payments stay queued, no remote dispatch</translation>
        </message>
        <message>
            <source>{url} unreachable ({error}): remote dispatch will fail</source>
            <translation>{url} unreachable ({error}): remote dispatch will fail</translation>
        </message>
        <message>
            <source>{url} reachable</source>
            <translation>{url} reachable</translation>
        </message>
        <message>
            <source>Card reader</source>
            <translation>Card reader</translation>
        </message>
        <message>
            <source>no PC/SC service (pcscd / Windows Smart Card service is not running): card writing is unavailable</source>
            <translation>no PC/SC service (pcscd / Windows Smart Card service is not running): card writing is unavailable</translation>
        </message>
        <message>
            <source>no card reader attached: card writing is unavailable</source>
            <translation>no card reader attached: card writing is unavailable</translation>
        </message>
        <message>
            <source>Translations</source>
            <translation>Translations</translation>
        </message>
        <message>
            <source>loaded</source>
            <translation>loaded</translation>
        </message>
        <message>
            <source>missing {files}: run scripts/build-translations.sh</source>
            <translation>missing {files}: run scripts/build-translations.sh</translation>
        </message>
        <message>
            <source>Receipt font</source>
            <translation>Receipt font</translation>
        </message>
        <message>
            <source>Printer</source>
            <translation>Printer</translation>
        </message>
        <message>
            <source>receipts saved as PDF in {dir}</source>
            <translation>receipts saved as PDF in {dir}</translation>
        </message>
        <message>
            <source>no printer installed: receipts can be saved as PDF</source>
            <translation>no printer installed: receipts can be saved as PDF</translation>
        </message>
    </context>
    <context>
        <name>SignInDialog</name>
        <message>
            <source>Sign in</source>
            <translation>Sign in</translation>
        </message>
        <message>
            <source>Electricity purchase counter — sign in</source>
            <translation>Electricity purchase counter — sign in</translation>
        </message>
        <message>
            <source>Language</source>
            <translation>Language</translation>
        </message>
        <message>
            <source>User</source>
            <translation>User</translation>
        </message>
        <message>
            <source>Password</source>
            <translation>Password</translation>
        </message>
        <message>
            <source>Counter</source>
            <translation>Counter</translation>
        </message>
        <message>
            <source>user name</source>
            <translation>user name</translation>
        </message>
        <message>
            <source>Sign in (Enter)</source>
            <translation>Sign in (Enter)</translation>
        </message>
        <message>
            <source>Quit</source>
            <translation>Quit</translation>
        </message>
        <message>
            <source>Enter your user name and password.</source>
            <translation>Enter your user name and password.</translation>
        </message>
        <message>
            <source>Checking…</source>
            <translation>Checking…</translation>
        </message>
        <message>
            <source>Sign-in failed.</source>
            <translation>Sign-in failed.</translation>
        </message>
    </context>
    <context>
        <name>SupervisorPrompt</name>
        <message>
            <source>Supervisor authorization</source>
            <translation>Supervisor authorization</translation>
        </message>
        <message>
            <source>Supervisor</source>
            <translation>Supervisor</translation>
        </message>
        <message>
            <source>Password</source>
            <translation>Password</translation>
        </message>
    </context>
    <context>
        <name>SupervisorSignOff</name>
        <message>
            <source>supervisor&apos;s own user name</source>
            <translation>supervisor&apos;s own user name</translation>
        </message>
        <message>
            <source>Reason</source>
            <translation>Reason</translation>
        </message>
        <message>
            <source>Supervisor</source>
            <translation>Supervisor</translation>
        </message>
        <message>
            <source>Supervisor&apos;s password</source>
            <translation>Supervisor&apos;s password</translation>
        </message>
        <message>
            <source>Refused: {why}</source>
            <translation>Refused: {why}</translation>
        </message>
    </context>
    <context>
        <name>Texts</name>
        <message>
            <source>the collection terminal is offline</source>
            <translation>the collection terminal is offline</translation>
        </message>
        <message>
            <source>the carrier route to the meter is lost</source>
            <translation>the carrier route to the meter is lost</translation>
        </message>
        <message>
            <source>the meter does not answer</source>
            <translation>the meter does not answer</translation>
        </message>
        <message>
            <source>the meter link could not be opened</source>
            <translation>the meter link could not be opened</translation>
        </message>
        <message>
            <source>the meter holds another customer number</source>
            <translation>the meter holds another customer number</translation>
        </message>
        <message>
            <source>the meter refused the recharge</source>
            <translation>the meter refused the recharge</translation>
        </message>
        <message>
            <source>the collection system failed on this task</source>
            <translation>the collection system failed on this task</translation>
        </message>
        <message>
            <source>result not yet known: the collection system has the task</source>
            <translation>result not yet known: the collection system has the task</translation>
        </message>
        <message>
            <source>result not yet known: waiting to be sent, the collection system cannot be reached</source>
            <translation>result not yet known: waiting to be sent, the collection system cannot be reached</translation>
        </message>
        <message>
            <source>the collection system refused the task</source>
            <translation>the collection system refused the task</translation>
        </message>
        <message>
            <source>waiting before the next attempt</source>
            <translation>waiting before the next attempt</translation>
        </message>
        <message>
            <source>never</source>
            <translation>never</translation>
        </message>
        <message>
            <source>remote purchase</source>
            <translation>remote purchase</translation>
        </message>
        <message>
            <source>card purchase</source>
            <translation>card purchase</translation>
        </message>
        <message>
            <source>counter</source>
            <translation>counter</translation>
        </message>
        <message>
            <source>self-service terminal</source>
            <translation>self-service terminal</translation>
        </message>
        <message>
            <source>bank collection</source>
            <translation>bank collection</translation>
        </message>
        <message>
            <source>transfer</source>
            <translation>transfer</translation>
        </message>
        <message>
            <source>prepayment offset</source>
            <translation>prepayment offset</translation>
        </message>
        <message>
            <source>other</source>
            <translation>other</translation>
        </message>
        <message>
            <source>remote dispatch</source>
            <translation>remote dispatch</translation>
        </message>
        <message>
            <source>waits for a card write</source>
            <translation>waits for a card write</translation>
        </message>
        <message>
            <source>kept in prepayment</source>
            <translation>kept in prepayment</translation>
        </message>
        <message>
            <source>arrears remain after this payment, so nothing is sent to the meter (R2)</source>
            <translation>arrears remain after this payment, so nothing is sent to the meter (R2)</translation>
        </message>
        <message>
            <source>the customer has no meter in use</source>
            <translation>the customer has no meter in use</translation>
        </message>
        <message>
            <source>the household has several card meters: the money is written to the card of the meter the customer chooses (R6)</source>
            <translation>the household has several card meters: the money is written to the card of the meter the customer chooses (R6)</translation>
        </message>
        <message>
            <source>the meter is not a card meter</source>
            <translation>the meter is not a card meter</translation>
        </message>
        <message>
            <source>the collection system cannot reach this meter: buy with the card</source>
            <translation>the collection system cannot reach this meter: buy with the card</translation>
        </message>
        <message>
            <source>the meter is in card mode: the purchase is written to the card</source>
            <translation>the meter is in card mode: the purchase is written to the card</translation>
        </message>
        <message>
            <source>an earlier purchase has not reached the meter yet</source>
            <translation>an earlier purchase has not reached the meter yet</translation>
        </message>
        <message>
            <source>there is nothing to load</source>
            <translation>there is nothing to load</translation>
        </message>
        <message>
            <source>loaded into the meter</source>
            <translation>loaded into the meter</translation>
        </message>
        <message>
            <source>the meter already had this purchase (R8): counted as loaded</source>
            <translation>the meter already had this purchase (R8): counted as loaded</translation>
        </message>
        <message>
            <source>the meter could not be reached</source>
            <translation>the meter could not be reached</translation>
        </message>
        <message>
            <source>the meter&apos;s purchase count does not match</source>
            <translation>the meter&apos;s purchase count does not match</translation>
        </message>
        <message>
            <source>the meter refused the security check</source>
            <translation>the meter refused the security check</translation>
        </message>
        <message>
            <source>the meter refused: the balance would pass its hoarding limit</source>
            <translation>the meter refused: the balance would pass its hoarding limit</translation>
        </message>
        <message>
            <source>the meter did not answer in time</source>
            <translation>the meter did not answer in time</translation>
        </message>
        <message>
            <source>the link broke during the dispatch: the meter is probed first (R8)</source>
            <translation>the link broke during the dispatch: the meter is probed first (R8)</translation>
        </message>
        <message>
            <source>the probe shows the purchase did not reach the meter (R8)</source>
            <translation>the probe shows the purchase did not reach the meter (R8)</translation>
        </message>
        <message>
            <source>created</source>
            <translation>created</translation>
        </message>
        <message>
            <source>dispatching</source>
            <translation>dispatching</translation>
        </message>
        <message>
            <source>loaded</source>
            <translation>loaded</translation>
        </message>
        <message>
            <source>dispatch failed</source>
            <translation>dispatch failed</translation>
        </message>
        <message>
            <source>work order open</source>
            <translation>work order open</translation>
        </message>
        <message>
            <source>writing card</source>
            <translation>writing card</translation>
        </message>
        <message>
            <source>on the card</source>
            <translation>on the card</translation>
        </message>
        <message>
            <source>reversed</source>
            <translation>reversed</translation>
        </message>
        <message>
            <source>channel test</source>
            <translation>channel test</translation>
        </message>
        <message>
            <source>count check</source>
            <translation>count check</translation>
        </message>
        <message>
            <source>authentication</source>
            <translation>authentication</translation>
        </message>
        <message>
            <source>recharge</source>
            <translation>recharge</translation>
        </message>
        <message>
            <source>read back</source>
            <translation>read back</translation>
        </message>
        <message>
            <source>probe</source>
            <translation>probe</translation>
        </message>
        <message>
            <source>on (closed)</source>
            <translation>on (closed)</translation>
        </message>
        <message>
            <source>OFF (tripped)</source>
            <translation>OFF (tripped)</translation>
        </message>
        <message>
            <source>yes</source>
            <translation>yes</translation>
        </message>
        <message>
            <source>no</source>
            <translation>no</translation>
        </message>
        <message>
            <source>payment only: the meter keeps the credit; the amount becomes arrears collected at the next payment (R15)</source>
            <translation>payment only: the meter keeps the credit; the amount becomes arrears collected at the next payment (R15)</translation>
        </message>
        <message>
            <source>payment and purchase: the purchase never reached the meter and is cancelled; its purchase count is free again (R15)</source>
            <translation>payment and purchase: the purchase never reached the meter and is cancelled; its purchase count is free again (R15)</translation>
        </message>
        <message>
            <source>payment only: it made no purchase (R15)</source>
            <translation>payment only: it made no purchase (R15)</translation>
        </message>
        <message>
            <source>teller</source>
            <translation>teller</translation>
        </message>
        <message>
            <source>supervisor</source>
            <translation>supervisor</translation>
        </message>
        <message>
            <source>technician</source>
            <translation>technician</translation>
        </message>
        <message>
            <source>administrator</source>
            <translation>administrator</translation>
        </message>
        <message>
            <source>reversed: the payment was refunded (R15)</source>
            <translation>reversed: the payment was refunded (R15)</translation>
        </message>
        <message>
            <source>loaded into the meter remotely</source>
            <translation>loaded into the meter remotely</translation>
        </message>
        <message>
            <source>dispatch failed ({outcome}): a work order is open (R10)</source>
            <translation>dispatch failed ({outcome}): a work order is open (R10)</translation>
        </message>
        <message>
            <source>result not yet known: the meter is probed first (R8)</source>
            <translation>result not yet known: the meter is probed first (R8)</translation>
        </message>
        <message>
            <source>waiting to be sent to the meter</source>
            <translation>waiting to be sent to the meter</translation>
        </message>
        <message>
            <source>card write not confirmed: read the card (R16)</source>
            <translation>card write not confirmed: read the card (R16)</translation>
        </message>
        <message>
            <source>written to the purchase card</source>
            <translation>written to the purchase card</translation>
        </message>
        <message>
            <source>purchase cancelled by a reversal (R15)</source>
            <translation>purchase cancelled by a reversal (R15)</translation>
        </message>
        <message>
            <source>waiting in prepayment for a card write: {reason}</source>
            <translation>waiting in prepayment for a card write: {reason}</translation>
        </message>
        <message>
            <source>waiting in prepayment: {reason}</source>
            <translation>waiting in prepayment: {reason}</translation>
        </message>
    </context>
    <context>
        <name>TrainingBanner</name>
        <message>
            <source>demo data and simulated meters: no real money, no real customers</source>
            <translation>demo data and simulated meters: no real money, no real customers</translation>
        </message>
    </context>
    <context>
        <name>TransferDialog</name>
        <message>
            <source>Transfer prepayment</source>
            <translation>Transfer prepayment</translation>
        </message>
        <message>
            <source>Prepayment of {customer}: {prepayment}.</source>
            <translation>Prepayment of {customer}: {prepayment}.</translation>
        </message>
        <message>
            <source>customer number receiving it</source>
            <translation>customer number receiving it</translation>
        </message>
        <message>
            <source>To customer</source>
            <translation>To customer</translation>
        </message>
        <message>
            <source>Amount (yuan)</source>
            <translation>Amount (yuan)</translation>
        </message>
        <message>
            <source>Authorize and transfer</source>
            <translation>Authorize and transfer</translation>
        </message>
        <message>
            <source>Cancel (Esc)</source>
            <translation>Cancel (Esc)</translation>
        </message>
        <message>
            <source>Enter the amount in yuan, e.g. 100 or 88.50.</source>
            <translation>Enter the amount in yuan, e.g. 100 or 88.50.</translation>
        </message>
        <message>
            <source>Enter the customer, the reason and a supervisor&apos;s own credentials.</source>
            <translation>Enter the customer, the reason and a supervisor&apos;s own credentials.</translation>
        </message>
        <message>
            <source>Transferring…</source>
            <translation>Transferring…</translation>
        </message>
        <message>
            <source>The transfer failed.</source>
            <translation>The transfer failed.</translation>
        </message>
    </context>
</TS>
