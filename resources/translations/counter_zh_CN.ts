<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
    <context>
        <name>AccountView</name>
        <message>
            <source>Channel of meter {meter}: the collection system cannot be asked now.</source>
            <translation>电表 {meter} 的通道：暂时无法向采集系统查询。</translation>
        </message>
        <message>
            <source>Channel of meter {meter}: last good read {when}; {failures} failure(s) today.</source>
            <translation>电表 {meter} 的通道：最近一次成功抄读 {when}；今日失败 {failures} 次。</translation>
        </message>
        <message>
            <source>The channel keeps failing today (last: {reason}): suggest writing the purchase to the card instead (F6) before the customer leaves.</source>
            <translation>该通道今日多次失败（最近：{reason}）：建议在客户离开前改为写卡购电（F6）。</translation>
        </message>
        <message>
            <source>Account</source>
            <translation>账户</translation>
        </message>
        <message>
            <source>Arrears</source>
            <translation>欠费</translation>
        </message>
        <message>
            <source>Prepayment</source>
            <translation>预收余额</translation>
        </message>
        <message>
            <source>Recent payments</source>
            <translation>最近缴费</translation>
        </message>
        <message>
            <source>Recent purchases</source>
            <translation>最近购电</translation>
        </message>
        <message>
            <source>Meter no.</source>
            <translation>表号</translation>
        </message>
        <message>
            <source>Mode</source>
            <translation>购电方式</translation>
        </message>
        <message>
            <source>Collection</source>
            <translation>具备采集</translation>
        </message>
        <message>
            <source>Balance</source>
            <translation>剩余金额</translation>
        </message>
        <message>
            <source>Count</source>
            <translation>购电次数</translation>
        </message>
        <message>
            <source>Relay</source>
            <translation>继电器</translation>
        </message>
        <message>
            <source>Last seen</source>
            <translation>最近抄读</translation>
        </message>
        <message>
            <source>Time</source>
            <translation>时间</translation>
        </message>
        <message>
            <source>Receipt</source>
            <translation>票据号</translation>
        </message>
        <message>
            <source>Amount</source>
            <translation>金额</translation>
        </message>
        <message>
            <source>Channel</source>
            <translation>缴费方式</translation>
        </message>
        <message>
            <source>Outcome</source>
            <translation>处理结果</translation>
        </message>
        <message>
            <source>Meter</source>
            <translation>电表</translation>
        </message>
        <message>
            <source>State</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Last dispatch</source>
            <translation>最近下发</translation>
        </message>
        <message>
            <source>No customer — press F2 to search</source>
            <translation>尚未选择用户 — 按 F2 查询</translation>
        </message>
        <message>
            <source>{name} · customer no. {customer_no}</source>
            <translation>{name} · 户号 {customer_no}</translation>
        </message>
        <message>
            <source>Address: {address}   Phone: {phone}</source>
            <translation>地址：{address}&#x3000;电话：{phone}</translation>
        </message>
        <message>
            <source>not in use</source>
            <translation>已停用</translation>
        </message>
        <message>
            <source>to reconcile</source>
            <translation>待核对</translation>
        </message>
        <message>
            <source>not a card meter</source>
            <translation>非卡表</translation>
        </message>
    </context>
    <context>
        <name>CardWriteDialog</name>
        <message>
            <source>Write purchase card</source>
            <translation>写购电卡</translation>
        </message>
        <message>
            <source>Meter</source>
            <translation>电表</translation>
        </message>
        <message>
            <source>Amount to write</source>
            <translation>写卡金额</translation>
        </message>
        <message>
            <source>{amount} — purchase no. {count} that could not be dispatched (R10)</source>
            <translation>{amount} — 远程下发失败的第 {count} 次购电（R10）</translation>
        </message>
        <message>
            <source>{amount} — the whole prepayment (R6)</source>
            <translation>{amount} — 全部预收余额（R6）</translation>
        </message>
        <message>
            <source>Insert the customer&apos;s card, then press F3 to read it.</source>
            <translation>请插入用户购电卡，然后按 F3 读卡。</translation>
        </message>
        <message>
            <source>Read card (F3)</source>
            <translation>读卡 (F3)</translation>
        </message>
        <message>
            <source>Write card (Enter)</source>
            <translation>写卡 (Enter)</translation>
        </message>
        <message>
            <source>Close (Esc)</source>
            <translation>关闭 (Esc)</translation>
        </message>
        <message>
            <source>Card inserted ({reader}).</source>
            <translation>已插卡（{reader}）。</translation>
        </message>
        <message>
            <source>Card removed ({reader}).</source>
            <translation>已拔卡（{reader}）。</translation>
        </message>
        <message>
            <source>This customer has no card meter.</source>
            <translation>该用户没有卡表。</translation>
        </message>
        <message>
            <source>Reading the card again: is purchase no. {count} on it? (R12)</source>
            <translation>重新读卡：卡内是否已有第 {count} 次购电？（R12）</translation>
        </message>
        <message>
            <source>Reading the card…</source>
            <translation>正在读卡…</translation>
        </message>
        <message>
            <source>Card {serial}: customer {customer_no}, meter {meter_no}; purchase no. {count} of {amount} on the card.</source>
            <translation>卡号 {serial}：户号 {customer_no}，表号 {meter_no}；卡内为第 {count} 次购电，金额 {amount}。</translation>
        </message>
        <message>
            <source>Write-back from the meter: balance {balance}, count {count} (R13); applying.</source>
            <translation>电表返写信息：剩余金额 {balance}，购电次数 {count}（R13），正在登记。</translation>
        </message>
        <message>
            <source>The meter has loaded {n} purchase(s); committed count now {count}.</source>
            <translation>电表已充值 {n} 笔购电；系统购电次数现为 {count}。</translation>
        </message>
        <message>
            <source>To reconcile: {flag}</source>
            <translation>待核对：{flag}</translation>
        </message>
        <message>
            <source>Card is for meter {card_meter}; chosen meter {meter} (R12).</source>
            <translation>卡内表号 {card_meter}；所选电表 {meter}（R12）。</translation>
        </message>
        <message>
            <source>Card serial {serial} is the card registered for this meter (R12).</source>
            <translation>卡号 {serial} 为该电表登记的购电卡（R12）。</translation>
        </message>
        <message>
            <source>Card count C = {card}; system&apos;s last committed count = {committed}: they must be equal, the new purchase gets n = {n} (R12).</source>
            <translation>卡内购电次数 C = {card}；系统已确认次数 = {committed}：两者必须相等，本次购电次数 n = {n}（R12）。</translation>
        </message>
        <message>
            <source>The previous purchase on the card has reached the meter (R12a); otherwise the customer must insert the card into the meter first.</source>
            <translation>卡内上次购电已进入电表（R12a）；否则请用户先将卡插入电表。</translation>
        </message>
        <message>
            <source>There is {amount} to write.</source>
            <translation>待写卡金额 {amount}。</translation>
        </message>
        <message>
            <source>Checks passed. Press Enter to write the card.</source>
            <translation>检查通过。按 Enter 写卡。</translation>
        </message>
        <message>
            <source>The card cannot be written; see the checks above.</source>
            <translation>不能写卡，请看上面的检查结果。</translation>
        </message>
        <message>
            <source>Recording the card write before writing (R12)…</source>
            <translation>写卡前先登记写卡记录（R12）…</translation>
        </message>
        <message>
            <source>Writing purchase no. {count} of {amount} to the card…</source>
            <translation>正在写入第 {count} 次购电，金额 {amount}…</translation>
        </message>
        <message>
            <source>The write did not finish: {error} Reading the card again…</source>
            <translation>写卡未完成：{error} 正在重新读卡…</translation>
        </message>
        <message>
            <source>The card could not be read ({error}). Put the card back and press F3: the purchase stays “writing card” until the card is read.</source>
            <translation>无法读卡（{error}）。请重新插卡并按 F3：读卡前该笔购电保持“写卡中”。</translation>
        </message>
        <message>
            <source>The card does carry the purchase: confirming.</source>
            <translation>卡内已有该笔购电：正在确认。</translation>
        </message>
        <message>
            <source>The card is unchanged: the write is abandoned; try again.</source>
            <translation>卡内未变化：本次写卡作废，请重试。</translation>
        </message>
        <message>
            <source>The card shows another purchase: nothing more is written. Call the supervisor (reconciliation).</source>
            <translation>卡内为其他购电记录：不再写卡。请联系班长核对。</translation>
        </message>
        <message>
            <source>Read back: the card holds purchase no. {count} of {amount}.</source>
            <translation>回读：卡内为第 {count} 次购电，金额 {amount}。</translation>
        </message>
        <message>
            <source>Card written. The customer inserts it into meter {meter}; the meter loads purchase no. {count}.</source>
            <translation>写卡完成。请用户将卡插入电表 {meter}，电表将充值第 {count} 次购电。</translation>
        </message>
        <message>
            <source>Error: {error}</source>
            <translation>错误：{error}</translation>
        </message>
        <message>
            <source>Wait: the card is being written.</source>
            <translation>请稍候：正在写卡。</translation>
        </message>
    </context>
    <context>
        <name>CheckPanel</name>
        <message>
            <source>System check</source>
            <translation>系统自检</translation>
        </message>
    </context>
    <context>
        <name>ConfirmPaymentDialog</name>
        <message>
            <source>Confirm payment</source>
            <translation>确认缴费</translation>
        </message>
        <message>
            <source>Cash tendered {tendered}, change {change}.</source>
            <translation>实收现金 {tendered}，找零 {change}。</translation>
        </message>
        <message>
            <source>Checked with the customer</source>
            <translation>已与用户核对</translation>
        </message>
        <message>
            <source>Confirm and take payment (Enter)</source>
            <translation>确认收费 (Enter)</translation>
        </message>
        <message>
            <source>Back (Esc)</source>
            <translation>返回 (Esc)</translation>
        </message>
    </context>
    <context>
        <name>Errors</name>
        <message>
            <source>Enter an amount.</source>
            <translation>请输入金额。</translation>
        </message>
        <message>
            <source>“{text}” is not an amount in yuan.</source>
            <translation>“{text}”不是有效的金额（元）。</translation>
        </message>
        <message>
            <source>The amount cannot be negative.</source>
            <translation>金额不能为负数。</translation>
        </message>
        <message>
            <source>At most two decimals (fen).</source>
            <translation>最多两位小数（到分）。</translation>
        </message>
        <message>
            <source>The amount is above the limit of {max} yuan.</source>
            <translation>金额超过上限 {max} 元。</translation>
        </message>
        <message>
            <source>The amount must be above zero.</source>
            <translation>金额必须大于零。</translation>
        </message>
        <message>
            <source>“{text}” is not accepted: type the amount in full, e.g. 1000.</source>
            <translation>“{text}”不被接受：请完整输入金额，例如 1000。</translation>
        </message>
        <message>
            <source>The amount is not valid.</source>
            <translation>金额无效。</translation>
        </message>
        <message>
            <source>The card amount is more than the prepayment balance.</source>
            <translation>写卡金额超过预收余额。</translation>
        </message>
        <message>
            <source>There is no prepayment to load onto the card.</source>
            <translation>没有可写卡的预收余额。</translation>
        </message>
        <message>
            <source>This meter is not a card meter.</source>
            <translation>该电表不是卡表。</translation>
        </message>
        <message>
            <source>This meter is not in use.</source>
            <translation>该电表已停用。</translation>
        </message>
        <message>
            <source>An earlier purchase for this meter has not reached the meter yet.</source>
            <translation>该电表上一笔购电尚未进入电表。</translation>
        </message>
        <message>
            <source>The smart-card service is not running. Start it (Windows: Smart Card service; Linux: pcscd) and try again.</source>
            <translation>智能卡服务未运行。请启动（Windows：Smart Card 服务；Linux：pcscd）后重试。</translation>
        </message>
        <message>
            <source>No card reader is attached.</source>
            <translation>未连接读卡器。</translation>
        </message>
        <message>
            <source>There is no card in the reader. Insert the customer&apos;s card.</source>
            <translation>读卡器中没有卡。请插入用户购电卡。</translation>
        </message>
        <message>
            <source>The card was removed during the operation. Put it back: the card is read again to see whether the write happened (it is never written twice).</source>
            <translation>操作过程中卡被拔出。请重新插卡：系统将重新读卡判断是否已写入（绝不重复写卡）。</translation>
        </message>
        <message>
            <source>Another program is using the card. Close it and retry.</source>
            <translation>其他程序正在使用该卡。请关闭后重试。</translation>
        </message>
        <message>
            <source>The card reader reported an error in {step}.</source>
            <translation>读卡器在“{step}”步骤报错。</translation>
        </message>
        <message>
            <source>The card refused {step}.</source>
            <translation>卡片拒绝了“{step}”。</translation>
        </message>
        <message>
            <source>The card refused the security check: it is not one of ours or the keys are wrong.</source>
            <translation>卡片安全认证失败：非本系统卡片或密钥错误。</translation>
        </message>
        <message>
            <source>This card is blocked: too many failed key checks. It cannot be used at the counter. Send the customer to the technician&apos;s workbench to unblock or re-issue the card.</source>
            <translation>此卡已锁定：密钥校验失败次数过多，柜台不能使用。请引导客户到技术员工作台解锁或补卡。</translation>
        </message>
        <message>
            <source>The card failed the security check of its {what}: it is forged or not one of ours. Nothing is written or recorded from it; keep the card and call the technician.</source>
            <translation>此卡的{what}未通过安全校验：伪造卡或非本系统的卡。不写卡，也不记录卡上的数据；请扣留此卡并联系技术员。</translation>
        </message>
        <message>
            <source>The card carries purchase no. {count} of {card_amount_fen} fen, not {expected_fen} fen; it is not cleared.</source>
            <translation>卡上第 {count} 次购电金额为 {card_amount_fen} 分，而不是 {expected_fen} 分；不清除。</translation>
        </message>
        <message>
            <source>This card is blank (never issued).</source>
            <translation>这是一张空白卡（未发行）。</translation>
        </message>
        <message>
            <source>The card&apos;s files are damaged or not in the expected format.</source>
            <translation>卡内文件损坏或格式不符。</translation>
        </message>
        <message>
            <source>Wrong card: its {field} is {found}, this account expects {expected}.</source>
            <translation>卡片不符：其{field}为 {found}，本账户应为 {expected}。</translation>
        </message>
        <message>
            <source>The card&apos;s purchase count is {card_count}; the system expects {expected} (R12). The card is not written.</source>
            <translation>卡内购电次数为 {card_count}，系统应为 {expected}（R12）。未写卡。</translation>
        </message>
        <message>
            <source>This purchase is already on the card; it is not written again.</source>
            <translation>该笔购电已在卡内，不再重复写卡。</translation>
        </message>
        <message>
            <source>The previous purchase on this card has not reached the meter (R12a). Ask the customer to insert the card into the meter first.</source>
            <translation>卡内上次购电尚未进入电表（R12a）。请用户先将卡插入电表。</translation>
        </message>
        <message>
            <source>The meter has already loaded this purchase.</source>
            <translation>电表已充值该笔购电。</translation>
        </message>
        <message>
            <source>The amount cannot be written to a card.</source>
            <translation>该金额不能写卡。</translation>
        </message>
        <message>
            <source>This card is already issued; use a blank card.</source>
            <translation>该卡已发行，请使用空白卡。</translation>
        </message>
        <message>
            <source>No card keys are configured on this counter.</source>
            <translation>本柜台未配置购电卡密钥。</translation>
        </message>
        <message>
            <source>This payment is already reversed.</source>
            <translation>该笔缴费已冲正。</translation>
        </message>
        <message>
            <source>A dispatch of this purchase may have reached the meter. The meter is probed first (R8); try again after the probe.</source>
            <translation>该笔购电的远程下发可能已到达电表。须先核查电表（R8），核查后再试。</translation>
        </message>
        <message>
            <source>A card write of this purchase is unresolved. Read the card again first (R16).</source>
            <translation>该笔购电的写卡结果未确认。请先重新读卡（R16）。</translation>
        </message>
        <message>
            <source>The purchase is on the customer&apos;s card. Read and clear the card first (R16).</source>
            <translation>该笔购电已写入用户卡。请先读卡并清除（R16）。</translation>
        </message>
        <message>
            <source>A reversal needs a supervisor&apos;s sign-in (R15).</source>
            <translation>冲正需要班长授权（R15）。</translation>
        </message>
        <message>
            <source>A teller cannot authorize their own reversal.</source>
            <translation>柜员不能为自己的冲正授权。</translation>
        </message>
        <message>
            <source>A reversal needs a reason.</source>
            <translation>冲正必须填写原因。</translation>
        </message>
        <message>
            <source>Wrong user name or password.</source>
            <translation>用户名或密码错误。</translation>
        </message>
        <message>
            <source>{username} ({role}) is not allowed to {action}.</source>
            <translation>{username}（{role}）无权执行：{action}。</translation>
        </message>
        <message>
            <source>The account {username} is locked after too many wrong passwords, until {until} UTC. An administrator can reset the password.</source>
            <translation>账号 {username} 因多次密码错误已锁定，至 {until}（UTC）解锁。管理员可重置密码。</translation>
        </message>
        <message>
            <source>No customer “{customer}”.</source>
            <translation>没有用户“{customer}”。</translation>
        </message>
        <message>
            <source>No meter “{meter}”.</source>
            <translation>没有电表“{meter}”。</translation>
        </message>
        <message>
            <source>No such payment.</source>
            <translation>没有该笔缴费。</translation>
        </message>
        <message>
            <source>No user “{username}”.</source>
            <translation>没有用户名“{username}”。</translation>
        </message>
        <message>
            <source>{field}: {problem}</source>
            <translation>{field}：{problem}</translation>
        </message>
        <message>
            <source>The purchase is {state}; this step is not possible now.</source>
            <translation>该笔购电状态为 {state}，现在不能执行此步骤。</translation>
        </message>
        <message>
            <source>The card was refused: {detail}</source>
            <translation>卡片被拒绝：{detail}</translation>
        </message>
        <message>
            <source>The reversal was refused: {detail}</source>
            <translation>冲正被拒绝：{detail}</translation>
        </message>
        <message>
            <source>The meter link cannot be opened. Check the collection channel connection.</source>
            <translation>无法打开电表通信链路。请检查采集通道连接。</translation>
        </message>
        <message>
            <source>The meter did not answer.</source>
            <translation>电表无应答。</translation>
        </message>
        <message>
            <source>The meter&apos;s answer was garbled (line noise).</source>
            <translation>电表应答报文错误（线路干扰）。</translation>
        </message>
        <message>
            <source>The meter refused the command: {reasons}.</source>
            <translation>电表拒绝了命令：{reasons}。</translation>
        </message>
        <message>
            <source>The meter link failed.</source>
            <translation>电表通信失败。</translation>
        </message>
        <message>
            <source>No Chinese font for receipts was found. Install fonts-wqy-microhei or set COUNTER_RECEIPT_FONT to a .ttf/.ttc file.</source>
            <translation>未找到票据用的中文字体。请安装 fonts-wqy-microhei，或将 COUNTER_RECEIPT_FONT 设为 .ttf/.ttc 字体文件。</translation>
        </message>
        <message>
            <source>The device did not answer in time.</source>
            <translation>设备未及时响应。</translation>
        </message>
        <message>
            <source>The database cannot be reached.</source>
            <translation>无法连接数据库。</translation>
        </message>
        <message>
            <source>use the counter</source>
            <translation>使用柜台</translation>
        </message>
        <message>
            <source>take payments</source>
            <translation>收费</translation>
        </message>
        <message>
            <source>write purchase cards</source>
            <translation>写购电卡</translation>
        </message>
        <message>
            <source>authorize reversals</source>
            <translation>授权冲正</translation>
        </message>
        <message>
            <source>see work orders</source>
            <translation>查看工单</translation>
        </message>
        <message>
            <source>take work orders</source>
            <translation>领取工单</translation>
        </message>
        <message>
            <source>retry dispatches</source>
            <translation>重新下发</translation>
        </message>
        <message>
            <source>close work orders</source>
            <translation>关闭工单</translation>
        </message>
        <message>
            <source>inspect cards</source>
            <translation>读卡检查</translation>
        </message>
        <message>
            <source>apply card write-backs</source>
            <translation>处理卡回写</translation>
        </message>
        <message>
            <source>issue cards</source>
            <translation>发卡</translation>
        </message>
        <message>
            <source>re-issue cards</source>
            <translation>补卡</translation>
        </message>
        <message>
            <source>clear cards</source>
            <translation>清卡</translation>
        </message>
        <message>
            <source>unblock cards</source>
            <translation>解锁卡</translation>
        </message>
        <message>
            <source>see the SMS outbox</source>
            <translation>查看短信发件箱</translation>
        </message>
        <message>
            <source>send SMS</source>
            <translation>发送短信</translation>
        </message>
        <message>
            <source>manage users</source>
            <translation>管理用户</translation>
        </message>
        <message>
            <source>read the audit log</source>
            <translation>查看审计日志</translation>
        </message>
        <message>
            <source>open a shift</source>
            <translation>开班</translation>
        </message>
        <message>
            <source>close a shift</source>
            <translation>结班</translation>
        </message>
        <message>
            <source>see every open shift</source>
            <translation>查看所有未结班次</translation>
        </message>
        <message>
            <source>see the success board</source>
            <translation>查看成功率看板</translation>
        </message>
        <message>
            <source>issue bills</source>
            <translation>录入账单</translation>
        </message>
        <message>
            <source>settle the hall&apos;s day</source>
            <translation>营业厅日结</translation>
        </message>
        <message>
            <source>change their own role</source>
            <translation>修改自己的角色</translation>
        </message>
        <message>
            <source>deactivate their own account</source>
            <translation>停用自己的账号</translation>
        </message>
        <message>
            <source>work another person&apos;s shift</source>
            <translation>操作他人的班次</translation>
        </message>
        <message>
            <source>Cannot continue</source>
            <translation>无法继续</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <source>Result not yet known (下发中): the collection system cannot be reached; the task waits in the outbox and is sent when it is back. The receipt says 下发中 and the customer gets the result by SMS. Do not take the money again.</source>
            <translation>下发中：采集系统暂时无法连接，任务已保存在待发队列中，恢复后自动发送。收据注明“下发中”，结果将以短信通知客户。请勿重复收费。</translation>
        </message>
        <message>
            <source>Result not yet known (下发中): the collection system has the task for purchase no. {count}. The receipt says 下发中 and the customer gets the result by SMS. Do not take the money again.</source>
            <translation>下发中：采集系统已受理第 {count} 次购电的下发任务，结果稍后返回。收据注明“下发中”，结果将以短信通知客户。请勿重复收费。</translation>
        </message>
        <message>
            <source>The collection system reported the result of purchase no. {count}.</source>
            <translation>采集系统已返回第 {count} 次购电的下发结果。</translation>
        </message>
        <message>
            <source>Electricity purchase counter</source>
            <translation>电费缴费购电柜台</translation>
        </message>
        <message>
            <source>Operator: {name} ({role})</source>
            <translation>操作员：{name}（{role}）</translation>
        </message>
        <message>
            <source>Counter: {counter}</source>
            <translation>柜台：{counter}</translation>
        </message>
        <message>
            <source>Back office… (F10)</source>
            <translation>后台业务…（F10）</translation>
        </message>
        <message>
            <source>F2 search · F3 read card · F5 pay · Enter confirm · F6 write card · F8 reversal · F9 print · Ctrl+P reprint · Esc next customer · F10 back office</source>
            <translation>F2 查询 · F3 读卡 · F5 收费 · Enter 确认 · F6 写卡 · F8 冲正 · F9 打印 · Ctrl+P 补打 · Esc 下一位 · F10 后台</translation>
        </message>
        <message>
            <source>day shift</source>
            <translation>白班</translation>
        </message>
        <message>
            <source>night shift</source>
            <translation>夜班</translation>
        </message>
        <message>
            <source>Shift: {day} {shift} (since {time})</source>
            <translation>班次：{day} {shift}（{time} 起）</translation>
        </message>
        <message>
            <source>Not loaded: {outcome} after {attempts} attempt(s). A re-dispatch work order is open (R10).</source>
            <translation>未充值：{outcome}（已尝试 {attempts} 次）。已生成补发工单（R10）。</translation>
        </message>
        <message>
            <source>Nothing to reprint: open a customer who has paid (F2).</source>
            <translation>没有可补打的票据：请先打开有缴费记录的用户（F2）。</translation>
        </message>
        <message>
            <source>Nothing to write to a card for this customer.</source>
            <translation>该用户没有需要写卡的金额。</translation>
        </message>
        <message>
            <source>Card reader: ready</source>
            <translation>读卡器：就绪</translation>
        </message>
        <message>
            <source>Card reader: not available</source>
            <translation>读卡器：不可用</translation>
        </message>
        <message>
            <source>Write purchase card (F6)</source>
            <translation>写购电卡 (F6)</translation>
        </message>
        <message>
            <source>Print receipt (F9)</source>
            <translation>打印票据 (F9)</translation>
        </message>
        <message>
            <source>Reprint as COPY (Ctrl+P)</source>
            <translation>补打副本 (Ctrl+P)</translation>
        </message>
        <message>
            <source>Reversal… (F8)</source>
            <translation>冲正… (F8)</translation>
        </message>
        <message>
            <source>Next customer (Esc)</source>
            <translation>下一位 (Esc)</translation>
        </message>
        <message>
            <source>Shift no. {id} (opened {time})</source>
            <translation>班次 {id}（{time} 开班）</translation>
        </message>
        <message>
            <source>This counter has no card reader (F6 is off): write the card at a counter with a reader.</source>
            <translation>本柜台没有读卡器（F6 不可用）：请到有读卡器的柜台写卡。</translation>
        </message>
        <message>
            <source>Write the card now (F6).</source>
            <translation>请现在写卡（F6）。</translation>
        </message>
        <message>
            <source>Loading {customer_no}…</source>
            <translation>正在载入 {customer_no}…</translation>
        </message>
        <message>
            <source>Wait: the current payment is still being processed.</source>
            <translation>请稍候：当前缴费仍在处理中。</translation>
        </message>
        <message>
            <source>Large amount: {amount}. Check the amount with the customer.</source>
            <translation>大额缴费：{amount}。请与用户核对金额。</translation>
        </message>
        <message>
            <source>Meter {meter} last showed {balance}; with this purchase it would hold {after}, above its hoarding limit of {limit} (R21). The meter will refuse it: at most {room} can be loaded now.</source>
            <translation>电表 {meter} 最近余额 {balance}；本次购电后将达 {after}，超过囤积限额 {limit}（R21）。电表将拒绝充值：目前最多可充 {room}。</translation>
        </message>
        <message>
            <source>Recording the payment…</source>
            <translation>正在登记缴费…</translation>
        </message>
        <message>
            <source>The step failed.</source>
            <translation>此步骤失败。</translation>
        </message>
        <message>
            <source>Payment recorded, receipt {receipt_no}.</source>
            <translation>缴费已登记，票据号 {receipt_no}。</translation>
        </message>
        <message>
            <source>Cash tendered {tendered}: give back {change}.</source>
            <translation>实收现金 {tendered}：应找零 {change}。</translation>
        </message>
        <message>
            <source>Arrears settled: {fen}.</source>
            <translation>已结清欠费：{fen}。</translation>
        </message>
        <message>
            <source>Purchase no. {count} of {fee} goes to meter {address}.</source>
            <translation>第 {count} 次购电 {fee} 下发至电表 {address}。</translation>
        </message>
        <message>
            <source>Nothing to reverse: this customer has no payment that can be reversed.</source>
            <translation>没有可冲正的缴费：该用户没有可冲正的记录。</translation>
        </message>
        <message>
            <source>Payment {receipt_no} is already reversed.</source>
            <translation>缴费 {receipt_no} 已冲正。</translation>
        </message>
        <message>
            <source>Payment {receipt_no} reversed.</source>
            <translation>缴费 {receipt_no} 已冲正。</translation>
        </message>
        <message>
            <source>The payment is reversed.</source>
            <translation>该笔缴费已冲正。</translation>
        </message>
        <message>
            <source>Kept in prepayment: {reason}.</source>
            <translation>已存入预收：{reason}。</translation>
        </message>
        <message>
            <source>Sending to the meter…</source>
            <translation>正在下发至电表…</translation>
        </message>
        <message>
            <source>Attempt {attempt} of {of}: {step}</source>
            <translation>第 {attempt}/{of} 次尝试：{step}</translation>
        </message>
        <message>
            <source>Sending to the meter: {step} (attempt {attempt} of {of})…</source>
            <translation>正在下发：{step}（第 {attempt}/{of} 次尝试）…</translation>
        </message>
        <message>
            <source>Loaded: {outcome}. Meter balance now {balance}.</source>
            <translation>充值成功：{outcome}。电表剩余金额 {balance}。</translation>
        </message>
        <message>
            <source>Unresolved: {outcome}. The purchase stays as it is until the meter is probed (R8); do not take the money again.</source>
            <translation>结果待核实：{outcome}。核查电表前该笔购电保持不变（R8）；请勿重复收费。</translation>
        </message>
        <message>
            <source>No card reader is available.</source>
            <translation>没有可用的读卡器。</translation>
        </message>
        <message>
            <source>Reading the card…</source>
            <translation>正在读卡…</translation>
        </message>
        <message>
            <source>Card {serial}: customer {customer_no}, meter {meter_no}.</source>
            <translation>卡号 {serial}：户号 {customer_no}，表号 {meter_no}。</translation>
        </message>
        <message>
            <source>Write-back of meter {meter_no}: balance {balance}, count {count}; {loaded} purchase(s) confirmed loaded (R13).</source>
            <translation>电表 {meter_no} 返写：剩余金额 {balance}，购电次数 {count}；确认 {loaded} 笔购电已充值（R13）。</translation>
        </message>
        <message>
            <source>To reconcile: {flags}</source>
            <translation>待核对：{flags}</translation>
        </message>
        <message>
            <source>Card reader: card inserted</source>
            <translation>读卡器：已插卡</translation>
        </message>
        <message>
            <source>Card reader: no card</source>
            <translation>读卡器：无卡</translation>
        </message>
        <message>
            <source>Card reader: PC/SC service stopped</source>
            <translation>读卡器：PC/SC 服务已停止</translation>
        </message>
        <message>
            <source>Offset arrears from prepayment…</source>
            <translation>预收冲抵欠费…</translation>
        </message>
        <message>
            <source>Transfer prepayment…</source>
            <translation>预收转移…</translation>
        </message>
        <message>
            <source>F2 search · F3 read card · F5 pay · Enter confirm · F6 write card · F7 check meter · F8 reversal · F9 print · Ctrl+P reprint · Esc next customer · F10 back office</source>
            <translation>F2 查询 · F3 读卡 · F5 收费 · Enter 确认 · F6 写卡 · F7 核查电表 · F8 冲正 · F9 打印 · Ctrl+P 补打 · Esc 下一位 · F10 后台</translation>
        </message>
        <message>
            <source>Unresolved: {outcome}. Do not take the money again. Next step: press F7 to check the meter (R8): the purchase is then loaded, or a re-dispatch work order opens (R10).</source>
            <translation>结果待核实：{outcome}。请勿重复收费。下一步：按 F7 核查电表（R8）：购电随即确认已充值，或生成补发工单（R10）。</translation>
        </message>
        <message>
            <source>Checking the meter (R8)…</source>
            <translation>正在核查电表（R8）…</translation>
        </message>
        <message>
            <source>Nothing waits for the meter: every purchase has its next step.</source>
            <translation>没有等待核查的购电：每笔购电都有下一步。</translation>
        </message>
        <message>
            <source>Meter checked: {loaded} purchase(s) loaded; {orders} re-dispatch work order(s) open (R10): inspection staff retry them, or write the card (F6).</source>
            <translation>电表已核查：{loaded} 笔已充值；{orders} 张补发工单待处理（R10）：由稽查人员重试，或写卡（F6）。</translation>
        </message>
        <message>
            <source>No meter link is configured: the purchases stay queued.</source>
            <translation>未配置电表通道：购电保持排队。</translation>
        </message>
    </context>
    <context>
        <name>OffsetDialog</name>
        <message>
            <source>Offset arrears from prepayment</source>
            <translation>预收冲抵欠费</translation>
        </message>
        <message>
            <source>Arrears {arrears}, prepayment {prepayment}: {amount} settles arrears.</source>
            <translation>欠费 {arrears}，预收 {prepayment}：冲抵 {amount} 结清欠费。</translation>
        </message>
        <message>
            <source>Arrears remain afterwards: nothing is dispatched (R4).</source>
            <translation>冲抵后仍有欠费：不下发（R4）。</translation>
        </message>
        <message>
            <source>All arrears are settled: the rest of the prepayment may be dispatched.</source>
            <translation>欠费全部结清：剩余预收可远程下发。</translation>
        </message>
        <message>
            <source>Why is the prepayment used for arrears?</source>
            <translation>为何用预收冲抵欠费？</translation>
        </message>
        <message>
            <source>Authorize and offset</source>
            <translation>授权并冲抵</translation>
        </message>
        <message>
            <source>Cancel (Esc)</source>
            <translation>取消 (Esc)</translation>
        </message>
        <message>
            <source>Enter the reason.</source>
            <translation>请填写原因。</translation>
        </message>
        <message>
            <source>A supervisor must sign with their own user name and password.</source>
            <translation>须由班长以本人用户名和密码授权。</translation>
        </message>
        <message>
            <source>Offsetting…</source>
            <translation>正在冲抵…</translation>
        </message>
        <message>
            <source>The offset failed.</source>
            <translation>冲抵失败。</translation>
        </message>
    </context>
    <context>
        <name>PaymentPanel</name>
        <message>
            <source>The cash tendered ({tendered}) is less than the amount ({amount}).</source>
            <translation>实收现金（{tendered}）少于缴费金额（{amount}）。</translation>
        </message>
        <message>
            <source>Take payment (F5)</source>
            <translation>收费 (F5)</translation>
        </message>
        <message>
            <source>Amount (yuan)</source>
            <translation>金额（元）</translation>
        </message>
        <message>
            <source>Channel</source>
            <translation>缴费方式</translation>
        </message>
        <message>
            <source>e.g. 200 or 150.50</source>
            <translation>如 200 或 150.50</translation>
        </message>
        <message>
            <source>Pay… (Enter)</source>
            <translation>收费… (Enter)</translation>
        </message>
        <message>
            <source>Cash tendered (yuan)</source>
            <translation>实收现金（元）</translation>
        </message>
        <message>
            <source>exact amount</source>
            <translation>等于缴费金额</translation>
        </message>
        <message>
            <source>Change</source>
            <translation>找零</translation>
        </message>
    </context>
    <context>
        <name>PaymentPlan</name>
        <message>
            <source>Receive {amount} from {name} ({customer_no}) — {channel}.</source>
            <translation>收取 {name}（{customer_no}）{amount} — {channel}。</translation>
        </message>
        <message>
            <source>Arrears settled first, oldest bill first (R1): {settled} of {arrears}.</source>
            <translation>先结清欠费，从最早的账单开始（R1）：结清 {settled}（欠费共 {arrears}）。</translation>
        </message>
        <message>
            <source>Arrears left after this payment: {left}.</source>
            <translation>本次缴费后仍欠费：{left}。</translation>
        </message>
        <message>
            <source>Prepayment: {before} → {after} (this payment adds {added}).</source>
            <translation>预收余额：{before} → {after}（本次存入 {added}）。</translation>
        </message>
        <message>
            <source>Adjusted fee {fee} becomes purchase no. {count} for meter {meter} and is sent to the meter now (R3, remote dispatch).</source>
            <translation>调整电费 {fee} 作为电表 {meter} 的第 {count} 次购电，立即远程下发（R3）。</translation>
        </message>
        <message>
            <source>Not sent to the meter: {reason}. Write it to the card next (F6).</source>
            <translation>不远程下发：{reason}。接下来请写卡（F6）。</translation>
        </message>
        <message>
            <source>Not sent to the meter: {reason}. The money stays in prepayment.</source>
            <translation>不远程下发：{reason}。款项存入预收。</translation>
        </message>
    </context>
    <context>
        <name>ProgressPanel</name>
        <message>
            <source>What is happening</source>
            <translation>处理过程</translation>
        </message>
    </context>
    <context>
        <name>Prompts</name>
        <message>
            <source>Confirm</source>
            <translation>确认</translation>
        </message>
        <message>
            <source>Information</source>
            <translation>提示</translation>
        </message>
    </context>
    <context>
        <name>ReceiptPreviewDialog</name>
        <message>
            <source>Receipt {receipt_no}</source>
            <translation>票据 {receipt_no}</translation>
        </message>
        <message>
            <source> (COPY)</source>
            <translation>（副本）</translation>
        </message>
        <message>
            <source>80 mm roll</source>
            <translation>80 毫米卷纸</translation>
        </message>
        <message>
            <source>A5 sheet</source>
            <translation>A5 纸</translation>
        </message>
        <message>
            <source>Print (F9)</source>
            <translation>打印 (F9)</translation>
        </message>
        <message>
            <source>Save as PDF…</source>
            <translation>另存为 PDF…</translation>
        </message>
        <message>
            <source>Close (Esc)</source>
            <translation>关闭 (Esc)</translation>
        </message>
        <message>
            <source>Not printed: {error}</source>
            <translation>未打印：{error}</translation>
        </message>
        <message>
            <source>Printed to {where}.</source>
            <translation>已打印到 {where}。</translation>
        </message>
        <message>
            <source>the receipt printer ({kind})</source>
            <translation>票据打印机（{kind}）</translation>
        </message>
        <message>
            <source>Save receipt</source>
            <translation>保存票据</translation>
        </message>
        <message>
            <source>Saved to {where}.</source>
            <translation>已保存到 {where}。</translation>
        </message>
    </context>
    <context>
        <name>ReportDialog</name>
        <message>
            <source>Unexpected error</source>
            <translation>意外错误</translation>
        </message>
        <message>
            <source>Something went wrong that the program does not know how to explain. No payment was recorded twice. Copy the details below into a support ticket.</source>
            <translation>出现了程序无法解释的错误。没有重复记录缴费。请将下面的详细信息复制到报障单中。</translation>
        </message>
        <message>
            <source>Copy details</source>
            <translation>复制详细信息</translation>
        </message>
    </context>
    <context>
        <name>ReversalDialog</name>
        <message>
            <source>Reverse payment {receipt_no}</source>
            <translation>冲正缴费 {receipt_no}</translation>
        </message>
        <message>
            <source>Payment {receipt_no} of {amount} on {when} by {operator}.</source>
            <translation>缴费 {receipt_no}：金额 {amount}，时间 {when}，操作员 {operator}。</translation>
        </message>
        <message>
            <source>Checking which case applies…</source>
            <translation>正在判断冲正类型…</translation>
        </message>
        <message>
            <source>Why is this payment reversed?</source>
            <translation>冲正原因</translation>
        </message>
        <message>
            <source>Authorize and reverse (Enter)</source>
            <translation>授权并冲正 (Enter)</translation>
        </message>
        <message>
            <source>Cancel (Esc)</source>
            <translation>取消 (Esc)</translation>
        </message>
        <message>
            <source>This reversal is: {case}</source>
            <translation>本次冲正：{case}</translation>
        </message>
        <message>
            <source>Not possible now: {why}</source>
            <translation>现在不能冲正：{why}</translation>
        </message>
        <message>
            <source>Enter the reason.</source>
            <translation>请填写原因。</translation>
        </message>
        <message>
            <source>A supervisor must sign with their own user name and password (R15).</source>
            <translation>须由班长用本人用户名和密码授权（R15）。</translation>
        </message>
        <message>
            <source>Reversing…</source>
            <translation>正在冲正…</translation>
        </message>
        <message>
            <source>The reversal failed.</source>
            <translation>冲正失败。</translation>
        </message>
        <message>
            <source>Reversed. Refund {refund} to the customer.</source>
            <translation>冲正完成。退还用户 {refund}。</translation>
        </message>
        <message>
            <source>The purchase is cancelled; its count is free again.</source>
            <translation>该笔购电已撤销，其购电次数可重新使用。</translation>
        </message>
        <message>
            <source>The meter keeps {debit}: it is now arrears (R15).</source>
            <translation>电表保留 {debit}：转为欠费（R15）。</translation>
        </message>
    </context>
    <context>
        <name>SearchPanel</name>
        <message>
            <source>Find customer (F2)</source>
            <translation>查询用户 (F2)</translation>
        </message>
        <message>
            <source>Customer, meter, name or phone</source>
            <translation>户号/表号/户名/电话</translation>
        </message>
        <message>
            <source>Customer no., meter no., name or phone — results as you type</source>
            <translation>户号、表号、户名或电话 — 边输入边查询</translation>
        </message>
        <message>
            <source>Read card (F3)</source>
            <translation>读卡 (F3)</translation>
        </message>
        <message>
            <source>Customer no.</source>
            <translation>户号</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>户名</translation>
        </message>
        <message>
            <source>Phone</source>
            <translation>电话</translation>
        </message>
        <message>
            <source>Meters</source>
            <translation>电表</translation>
        </message>
        <message>
            <source>Searching…</source>
            <translation>正在查询…</translation>
        </message>
        <message>
            <source>No customer matches “{query}”.</source>
            <translation>没有与“{query}”匹配的用户。</translation>
        </message>
        <message>
            <source>First {count} results; type more to narrow down.</source>
            <translation>仅显示前 {count} 条；请输入更多内容缩小范围。</translation>
        </message>
        <message>
            <source>{count} result(s). ↓ to choose, Enter to open.</source>
            <translation>{count} 条结果。↓ 选择，Enter 打开。</translation>
        </message>
        <message>
            <source>Search failed: {error}</source>
            <translation>查询失败：{error}</translation>
        </message>
    </context>
    <context>
        <name>SelfCheck</name>
        <message>
            <source>Collection system</source>
            <translation>采集系统</translation>
        </message>
        <message>
            <source>not used: this counter dispatches over its own meter link</source>
            <translation>未使用：本柜台通过自己的电表通信链路下发</translation>
        </message>
        <message>
            <source>unreachable ({error}): payments wait in the outbox and are sent when it is back</source>
            <translation>无法连接（{error}）：缴费的下发任务在待发队列中等待，恢复后自动发送</translation>
        </message>
        <message>
            <source>{status}: {links} meter link(s), {queued} task(s) queued, {running} running; {waiting} of ours await a result</source>
            <translation>{status}：{links} 条电表链路，排队任务 {queued} 个，执行中 {running} 个；本柜台 {waiting} 个任务待返回结果</translation>
        </message>
        <message>
            <source>Database</source>
            <translation>数据库</translation>
        </message>
        <message>
            <source>cannot be opened: {error}</source>
            <translation>无法打开：{error}</translation>
        </message>
        <message>
            <source>open, {users} user(s)</source>
            <translation>已连接，{users} 个用户</translation>
        </message>
        <message>
            <source>open, but no users: run counterctl demo</source>
            <translation>已连接，但没有用户：请运行 counterctl demo</translation>
        </message>
        <message>
            <source>Meter link</source>
            <translation>电表通信</translation>
        </message>
        <message>
            <source>not configured: payments stay queued, no remote dispatch</source>
            <translation>未配置：购电排队，不能远程下发</translation>
        </message>
        <message>
            <source>{url} unreachable ({error}): remote dispatch will fail</source>
            <translation>{url} 无法连接（{error}）：远程下发将失败</translation>
        </message>
        <message>
            <source>{url} reachable</source>
            <translation>{url} 可连接</translation>
        </message>
        <message>
            <source>Card reader</source>
            <translation>读卡器</translation>
        </message>
        <message>
            <source>no PC/SC service (pcscd / Windows Smart Card service is not running): card writing is unavailable</source>
            <translation>没有 PC/SC 服务（pcscd / Windows 智能卡服务未运行）：不能写卡</translation>
        </message>
        <message>
            <source>no card reader attached: card writing is unavailable</source>
            <translation>未连接读卡器：不能写卡</translation>
        </message>
        <message>
            <source>Translations</source>
            <translation>界面翻译</translation>
        </message>
        <message>
            <source>loaded</source>
            <translation>已加载</translation>
        </message>
        <message>
            <source>missing {files}: run scripts/build-translations.sh</source>
            <translation>缺少 {files}：请运行 scripts/build-translations.sh</translation>
        </message>
        <message>
            <source>Receipt font</source>
            <translation>票据字体</translation>
        </message>
        <message>
            <source>Printer</source>
            <translation>打印机</translation>
        </message>
        <message>
            <source>receipts saved as PDF in {dir}</source>
            <translation>票据保存为 PDF：{dir}</translation>
        </message>
        <message>
            <source>no printer installed: receipts can be saved as PDF</source>
            <translation>未安装打印机：票据可另存为 PDF</translation>
        </message>
    </context>
    <context>
        <name>SignInDialog</name>
        <message>
            <source>Sign in</source>
            <translation>登录</translation>
        </message>
        <message>
            <source>Electricity purchase counter — sign in</source>
            <translation>电费缴费购电柜台 — 登录</translation>
        </message>
        <message>
            <source>Language</source>
            <translation>语言</translation>
        </message>
        <message>
            <source>User</source>
            <translation>用户名</translation>
        </message>
        <message>
            <source>Password</source>
            <translation>密码</translation>
        </message>
        <message>
            <source>Counter</source>
            <translation>柜台</translation>
        </message>
        <message>
            <source>user name</source>
            <translation>用户名</translation>
        </message>
        <message>
            <source>Sign in (Enter)</source>
            <translation>登录 (Enter)</translation>
        </message>
        <message>
            <source>Quit</source>
            <translation>退出</translation>
        </message>
        <message>
            <source>Enter your user name and password.</source>
            <translation>请输入用户名和密码。</translation>
        </message>
        <message>
            <source>Checking…</source>
            <translation>正在验证…</translation>
        </message>
        <message>
            <source>Sign-in failed.</source>
            <translation>登录失败。</translation>
        </message>
    </context>
    <context>
        <name>SupervisorPrompt</name>
        <message>
            <source>Supervisor authorization</source>
            <translation>班长授权</translation>
        </message>
        <message>
            <source>Supervisor</source>
            <translation>授权班长</translation>
        </message>
        <message>
            <source>Password</source>
            <translation>密码</translation>
        </message>
    </context>
    <context>
        <name>SupervisorSignOff</name>
        <message>
            <source>supervisor&apos;s own user name</source>
            <translation>班长本人的用户名</translation>
        </message>
        <message>
            <source>Reason</source>
            <translation>原因</translation>
        </message>
        <message>
            <source>Supervisor</source>
            <translation>授权班长</translation>
        </message>
        <message>
            <source>Supervisor&apos;s password</source>
            <translation>班长密码</translation>
        </message>
        <message>
            <source>Refused: {why}</source>
            <translation>被拒绝：{why}</translation>
        </message>
    </context>
    <context>
        <name>Texts</name>
        <message>
            <source>the collection terminal is offline</source>
            <translation>采集终端离线</translation>
        </message>
        <message>
            <source>the carrier route to the meter is lost</source>
            <translation>到电表的载波路由丢失</translation>
        </message>
        <message>
            <source>the meter does not answer</source>
            <translation>电表无应答</translation>
        </message>
        <message>
            <source>the meter link could not be opened</source>
            <translation>无法打开抄表通道</translation>
        </message>
        <message>
            <source>the meter holds another customer number</source>
            <translation>电表内户号不符</translation>
        </message>
        <message>
            <source>the meter refused the recharge</source>
            <translation>电表拒绝充值</translation>
        </message>
        <message>
            <source>the collection system failed on this task</source>
            <translation>采集系统处理该任务出错</translation>
        </message>
        <message>
            <source>result not yet known: the collection system has the task</source>
            <translation>下发中：采集系统已受理，结果稍后返回</translation>
        </message>
        <message>
            <source>result not yet known: waiting to be sent, the collection system cannot be reached</source>
            <translation>下发中：采集系统暂时无法连接，任务等待发送</translation>
        </message>
        <message>
            <source>the collection system refused the task</source>
            <translation>采集系统拒绝了该下发任务</translation>
        </message>
        <message>
            <source>waiting before the next attempt</source>
            <translation>等待下一次尝试</translation>
        </message>
        <message>
            <source>never</source>
            <translation>从未</translation>
        </message>
        <message>
            <source>remote purchase</source>
            <translation>远程购电</translation>
        </message>
        <message>
            <source>card purchase</source>
            <translation>插卡购电</translation>
        </message>
        <message>
            <source>counter</source>
            <translation>柜台</translation>
        </message>
        <message>
            <source>self-service terminal</source>
            <translation>自助终端</translation>
        </message>
        <message>
            <source>bank collection</source>
            <translation>银行代收</translation>
        </message>
        <message>
            <source>transfer</source>
            <translation>转账</translation>
        </message>
        <message>
            <source>prepayment offset</source>
            <translation>预收冲抵</translation>
        </message>
        <message>
            <source>other</source>
            <translation>其他</translation>
        </message>
        <message>
            <source>remote dispatch</source>
            <translation>远程下发</translation>
        </message>
        <message>
            <source>waits for a card write</source>
            <translation>待写卡</translation>
        </message>
        <message>
            <source>kept in prepayment</source>
            <translation>存入预收</translation>
        </message>
        <message>
            <source>arrears remain after this payment, so nothing is sent to the meter (R2)</source>
            <translation>缴费后仍有欠费，不下发至电表（R2）</translation>
        </message>
        <message>
            <source>the customer has no meter in use</source>
            <translation>该用户没有在用电表</translation>
        </message>
        <message>
            <source>the household has several card meters: the money is written to the card of the meter the customer chooses (R6)</source>
            <translation>一户多表：款项写入用户所选电表的购电卡（R6）</translation>
        </message>
        <message>
            <source>the meter is not a card meter</source>
            <translation>该电表不是卡表</translation>
        </message>
        <message>
            <source>the collection system cannot reach this meter: buy with the card</source>
            <translation>采集系统无法连接该电表：请插卡购电</translation>
        </message>
        <message>
            <source>the meter is in card mode: the purchase is written to the card</source>
            <translation>该电表为插卡购电方式：购电写入购电卡</translation>
        </message>
        <message>
            <source>an earlier purchase has not reached the meter yet</source>
            <translation>上一笔购电尚未进入电表</translation>
        </message>
        <message>
            <source>there is nothing to load</source>
            <translation>没有可下发的金额</translation>
        </message>
        <message>
            <source>loaded into the meter</source>
            <translation>已充值到电表</translation>
        </message>
        <message>
            <source>the meter already had this purchase (R8): counted as loaded</source>
            <translation>电表已有该笔购电（R8）：按充值成功处理</translation>
        </message>
        <message>
            <source>the meter could not be reached</source>
            <translation>无法连接电表</translation>
        </message>
        <message>
            <source>the meter&apos;s purchase count does not match</source>
            <translation>电表购电次数不一致</translation>
        </message>
        <message>
            <source>the meter refused the security check</source>
            <translation>电表安全认证失败</translation>
        </message>
        <message>
            <source>the meter refused: the balance would pass its hoarding limit</source>
            <translation>电表拒绝：充值后将超过囤积限额</translation>
        </message>
        <message>
            <source>the meter did not answer in time</source>
            <translation>电表未及时应答</translation>
        </message>
        <message>
            <source>the link broke during the dispatch: the meter is probed first (R8)</source>
            <translation>下发过程中通信中断：须先核查电表（R8）</translation>
        </message>
        <message>
            <source>the probe shows the purchase did not reach the meter (R8)</source>
            <translation>核查结果：该笔购电未进入电表（R8）</translation>
        </message>
        <message>
            <source>created</source>
            <translation>已创建</translation>
        </message>
        <message>
            <source>dispatching</source>
            <translation>下发中</translation>
        </message>
        <message>
            <source>loaded</source>
            <translation>已加载</translation>
        </message>
        <message>
            <source>dispatch failed</source>
            <translation>下发失败</translation>
        </message>
        <message>
            <source>work order open</source>
            <translation>工单处理中</translation>
        </message>
        <message>
            <source>writing card</source>
            <translation>写卡中</translation>
        </message>
        <message>
            <source>on the card</source>
            <translation>已写卡</translation>
        </message>
        <message>
            <source>reversed</source>
            <translation>已冲正</translation>
        </message>
        <message>
            <source>channel test</source>
            <translation>通道测试</translation>
        </message>
        <message>
            <source>count check</source>
            <translation>次数核对</translation>
        </message>
        <message>
            <source>authentication</source>
            <translation>身份认证</translation>
        </message>
        <message>
            <source>recharge</source>
            <translation>远程充值</translation>
        </message>
        <message>
            <source>read back</source>
            <translation>回读</translation>
        </message>
        <message>
            <source>probe</source>
            <translation>核查</translation>
        </message>
        <message>
            <source>on (closed)</source>
            <translation>合闸</translation>
        </message>
        <message>
            <source>OFF (tripped)</source>
            <translation>跳闸</translation>
        </message>
        <message>
            <source>yes</source>
            <translation>是</translation>
        </message>
        <message>
            <source>no</source>
            <translation>否</translation>
        </message>
        <message>
            <source>payment only: the meter keeps the credit; the amount becomes arrears collected at the next payment (R15)</source>
            <translation>仅冲正缴费：电表保留已充金额，该金额转为欠费，下次缴费时收回（R15）</translation>
        </message>
        <message>
            <source>payment and purchase: the purchase never reached the meter and is cancelled; its purchase count is free again (R15)</source>
            <translation>冲正缴费及购电：购电未进入电表，予以撤销，购电次数可重新使用（R15）</translation>
        </message>
        <message>
            <source>payment only: it made no purchase (R15)</source>
            <translation>仅冲正缴费：该笔缴费未生成购电（R15）</translation>
        </message>
        <message>
            <source>teller</source>
            <translation>柜员</translation>
        </message>
        <message>
            <source>supervisor</source>
            <translation>班长</translation>
        </message>
        <message>
            <source>technician</source>
            <translation>检修员</translation>
        </message>
        <message>
            <source>administrator</source>
            <translation>管理员</translation>
        </message>
        <message>
            <source>reversed: the payment was refunded (R15)</source>
            <translation>已冲正：缴费已退还（R15）</translation>
        </message>
        <message>
            <source>loaded into the meter remotely</source>
            <translation>已远程充值到电表</translation>
        </message>
        <message>
            <source>dispatch failed ({outcome}): a work order is open (R10)</source>
            <translation>下发失败（{outcome}）：已生成补发工单（R10）</translation>
        </message>
        <message>
            <source>result not yet known: the meter is probed first (R8)</source>
            <translation>结果未知：先核查电表（R8）</translation>
        </message>
        <message>
            <source>waiting to be sent to the meter</source>
            <translation>等待下发到电表</translation>
        </message>
        <message>
            <source>card write not confirmed: read the card (R16)</source>
            <translation>写卡未确认：请读卡（R16）</translation>
        </message>
        <message>
            <source>written to the purchase card</source>
            <translation>已写入购电卡</translation>
        </message>
        <message>
            <source>purchase cancelled by a reversal (R15)</source>
            <translation>购电已因冲正撤销（R15）</translation>
        </message>
        <message>
            <source>waiting in prepayment for a card write: {reason}</source>
            <translation>存于预收，待写卡：{reason}</translation>
        </message>
        <message>
            <source>waiting in prepayment: {reason}</source>
            <translation>存于预收：{reason}</translation>
        </message>
    </context>
    <context>
        <name>TrainingBanner</name>
        <message>
            <source>demo data and simulated meters: no real money, no real customers</source>
            <translation>演示数据与模拟电表：不收真钱，不是真实用户</translation>
        </message>
    </context>
    <context>
        <name>TransferDialog</name>
        <message>
            <source>Transfer prepayment</source>
            <translation>预收转移</translation>
        </message>
        <message>
            <source>Prepayment of {customer}: {prepayment}.</source>
            <translation>户号 {customer} 的预收：{prepayment}。</translation>
        </message>
        <message>
            <source>customer number receiving it</source>
            <translation>转入户号</translation>
        </message>
        <message>
            <source>To customer</source>
            <translation>转入户号</translation>
        </message>
        <message>
            <source>Amount (yuan)</source>
            <translation>金额（元）</translation>
        </message>
        <message>
            <source>Authorize and transfer</source>
            <translation>授权并转移</translation>
        </message>
        <message>
            <source>Cancel (Esc)</source>
            <translation>取消 (Esc)</translation>
        </message>
        <message>
            <source>Enter the amount in yuan, e.g. 100 or 88.50.</source>
            <translation>请输入金额（元），如 100 或 88.50。</translation>
        </message>
        <message>
            <source>Enter the customer, the reason and a supervisor&apos;s own credentials.</source>
            <translation>请填写转入户号、原因及班长本人的用户名和密码。</translation>
        </message>
        <message>
            <source>Transferring…</source>
            <translation>正在转移…</translation>
        </message>
        <message>
            <source>The transfer failed.</source>
            <translation>转移失败。</translation>
        </message>
    </context>
</TS>
