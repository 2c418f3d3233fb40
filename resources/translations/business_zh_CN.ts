<?xml version='1.0' encoding='utf-8'?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ArchiveImportTab</name>
    <message>
        <source>Customer archive import</source>
        <translation>用户档案导入</translation>
    </message>
    <message>
        <source>The marketing system's export: CSV in UTF-8 or GB18030, one meter per line (columns in docs/archive-import.md). Importing the same file again updates what it imported before.</source>
        <translation>营销系统导出文件：UTF-8 或 GB18030 编码的 CSV，每行一块表（列见 docs/archive-import.md）。再次导入同一文件会更新先前导入的内容。</translation>
    </message>
    <message>
        <source>Export file (.csv)</source>
        <translation>导出文件（.csv）</translation>
    </message>
    <message>
        <source>Choose file…</source>
        <translation>选择文件…</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>行</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>not UTF-8 / GB18030 text</source>
        <translation>不是 UTF-8 / GB18030 文本</translation>
    </message>
    <message>
        <source>wrong number of fields</source>
        <translation>列数不对</translation>
    </message>
    <message>
        <source>a required field is empty</source>
        <translation>必填项为空</translation>
    </message>
    <message>
        <source>customer number is not 12 digits</source>
        <translation>户号不是 12 位数字</translation>
    </message>
    <message>
        <source>meter address is not 12 digits</source>
        <translation>表地址不是 12 位数字</translation>
    </message>
    <message>
        <source>customer number in the meter is not 12 digits</source>
        <translation>表内户号不是 12 位数字</translation>
    </message>
    <message>
        <source>unknown meter kind</source>
        <translation>未知的电能表类型</translation>
    </message>
    <message>
        <source>a yes/no field is neither 1 nor 0</source>
        <translation>是/否字段既不是 1 也不是 0</translation>
    </message>
    <message>
        <source>purchase mode not possible for this meter</source>
        <translation>该表不能用此购电方式</translation>
    </message>
    <message>
        <source>purchase count is not a whole number</source>
        <translation>购电次数不是整数</translation>
    </message>
    <message>
        <source>open bill incomplete or wrong</source>
        <translation>欠费信息不全或有误</translation>
    </message>
    <message>
        <source>the same meter on two customers</source>
        <translation>同一块表属于两个用户</translation>
    </message>
    <message>
        <source>meter number belongs to another meter</source>
        <translation>表号已属于另一块表</translation>
    </message>
    <message>
        <source>one customer number with two names</source>
        <translation>同一户号有两个户名</translation>
    </message>
    <message>
        <source>Customer archive export</source>
        <translation>用户档案导出文件</translation>
    </message>
    <message>
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>CSV 文件 (*.csv);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Choose the export file first.</source>
        <translation>请先选择导出文件。</translation>
    </message>
    <message>
        <source>Importing…</source>
        <translation>正在导入…</translation>
    </message>
    <message>
        <source>{rows} lines read, {imported} imported, {rejected} refused</source>
        <translation>已读 {rows} 行，导入 {imported} 行，拒收 {rejected} 行</translation>
    </message>
    <message>
        <source>{rows} lines ({encoding}): {imported} imported, {rejected} refused in {seconds} s. Customers {cnew} new, {cupd} updated; meters {mnew} new, {mupd} updated; bills {bnew} new, {bupd} updated.</source>
        <translation>共 {rows} 行（{encoding}）：导入 {imported} 行，拒收 {rejected} 行，用时 {seconds} 秒。用户新增 {cnew}、更新 {cupd}；电表新增 {mnew}、更新 {mupd}；欠费新增 {bnew}、更新 {bupd}。</translation>
    </message>
    <message>
        <source>Refused lines are listed in {path}.</source>
        <translation>拒收的行已列入 {path}。</translation>
    </message>
    <message>
        <source>Every line was imported.</source>
        <translation>所有行均已导入。</translation>
    </message>
    <message>
        <source>{column} must be 1 or 0, got {text!r}</source>
        <translation>{column} 应为 1 或 0，实为 {text!r}</translation>
    </message>
    <message>
        <source>meter_address is empty but the meter is named</source>
        <translation>表地址为空，却填写了电表</translation>
    </message>
    <message>
        <source>meter address {address!r} is not 12 digits</source>
        <translation>表地址 {address!r} 不是 12 位数字</translation>
    </message>
    <message>
        <source>customer number in the meter {number!r} is not 12 digits</source>
        <translation>表内户号 {number!r} 不是 12 位数字</translation>
    </message>
    <message>
        <source>unknown meter kind {kind!r}</source>
        <translation>未知的电表类型 {kind!r}</translation>
    </message>
    <message>
        <source>purchase mode must be remote or card: {mode!r}</source>
        <translation>购电方式应为远程或插卡：{mode!r}</translation>
    </message>
    <message>
        <source>remote mode needs a collection-capable card meter (R2)</source>
        <translation>远程方式需要可采集的费控卡表（R2）</translation>
    </message>
    <message>
        <source>purchase count {count!r} is not a whole number</source>
        <translation>购电次数 {count!r} 不是整数</translation>
    </message>
    <message>
        <source>a bill period or date without an amount</source>
        <translation>有账期或日期，却没有欠费金额</translation>
    </message>
    <message>
        <source>bill amount {amount!r} is not an amount in yuan</source>
        <translation>欠费金额 {amount!r} 不是以元计的金额</translation>
    </message>
    <message>
        <source>an open bill must be above zero</source>
        <translation>欠费金额必须大于零</translation>
    </message>
    <message>
        <source>an open bill needs its period (e.g. 2026-10)</source>
        <translation>欠费须有账期（如 2026-10）</translation>
    </message>
    <message>
        <source>bill period longer than 32 characters</source>
        <translation>账期超过 32 个字符</translation>
    </message>
    <message>
        <source>bill date {date!r} is not YYYY-MM-DD</source>
        <translation>账单日期 {date!r} 不是 年-月-日 格式</translation>
    </message>
    <message>
        <source>{fields} fields, the header has {header}</source>
        <translation>本行 {fields} 个字段，表头有 {header} 个</translation>
    </message>
    <message>
        <source>customer_no and name are required</source>
        <translation>户号和户名必填</translation>
    </message>
    <message>
        <source>customer number {number!r} is not 12 digits</source>
        <translation>户号 {number!r} 不是 12 位数字</translation>
    </message>
    <message>
        <source>name, address or phone too long</source>
        <translation>户名、地址或电话过长</translation>
    </message>
    <message>
        <source>customer {customer} is {name!r} on line {line}</source>
        <translation>户号 {customer} 在第 {line} 行的户名是 {name!r}</translation>
    </message>
    <message>
        <source>meter {meter} is on customer {customer} on line {line}</source>
        <translation>电表 {meter} 在第 {line} 行属于户号 {customer}</translation>
    </message>
    <message>
        <source>meter number {number} is meter {meter} on line {line}</source>
        <translation>表号 {number} 在第 {line} 行属于电表 {meter}</translation>
    </message>
    <message>
        <source>meter {meter} is on customer {customer} in the archive (a move is a business change)</source>
        <translation>电表 {meter} 在档案中属于户号 {customer}（迁表请走业务变更）</translation>
    </message>
    <message>
        <source>meter number {number} is meter {meter} in the archive</source>
        <translation>表号 {number} 在档案中属于电表 {meter}</translation>
    </message>
    <message>
        <source>line is not valid {encoding}</source>
        <translation>本行不是有效的 {encoding} 文本</translation>
    </message>
    <message>
        <source>the line cannot be read as CSV</source>
        <translation>本行无法按 CSV 格式读取</translation>
    </message>
</context>
<context>
    <name>BusinessChangesTab</name>
    <message>
        <source>New installation</source>
        <translation>业扩新装</translation>
    </message>
    <message>
        <source>Meter replacement</source>
        <translation>变更换表</translation>
    </message>
    <message>
        <source>Close account</source>
        <translation>销户</translation>
    </message>
    <message>
        <source>Move meter to another customer</source>
        <translation>电表过户</translation>
    </message>
    <message>
        <source>Change purchase mode</source>
        <translation>变更购电方式</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>待审核</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <source>refunded</source>
        <translation>已退款</translation>
    </message>
    <message>
        <source>old meter's balance</source>
        <translation>旧表剩余金额</translation>
    </message>
    <message>
        <source>closed account</source>
        <translation>销户余额</translation>
    </message>
    <message>
        <source>Business changes</source>
        <translation>业务变更</translation>
    </message>
    <message>
        <source>File a change</source>
        <translation>登记变更</translation>
    </message>
    <message>
        <source>Prepayments waiting for review (R20)</source>
        <translation>待审核预收（R20）</translation>
    </message>
    <message>
        <source>remote</source>
        <translation>远程</translation>
    </message>
    <message>
        <source>card</source>
        <translation>插卡</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>变更</translation>
    </message>
    <message>
        <source>Customer number</source>
        <translation>户号</translation>
    </message>
    <message>
        <source>Name (new customer)</source>
        <translation>户名（新用户）</translation>
    </message>
    <message>
        <source>Meter address</source>
        <translation>表地址</translation>
    </message>
    <message>
        <source>New meter address</source>
        <translation>新表地址</translation>
    </message>
    <message>
        <source>To customer</source>
        <translation>过户至户号</translation>
    </message>
    <message>
        <source>Collection-capable</source>
        <translation>具备采集条件</translation>
    </message>
    <message>
        <source>Old meter cannot be read (figures from the form)</source>
        <translation>旧表无法读取（按工单数据）</translation>
    </message>
    <message>
        <source>Final balance (yuan)</source>
        <translation>拆表剩余金额（元）</translation>
    </message>
    <message>
        <source>Final purchase count</source>
        <translation>拆表购电次数</translation>
    </message>
    <message>
        <source>Purchase mode</source>
        <translation>购电方式</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>File the change</source>
        <translation>提交变更</translation>
    </message>
    <message>
        <source>Reason (needed to refuse or refund)</source>
        <translation>原因（拒绝或退款时必填）</translation>
    </message>
    <message>
        <source>Approve and dispatch</source>
        <translation>批准并下发</translation>
    </message>
    <message>
        <source>Refuse</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <source>Refund in cash</source>
        <translation>退现金</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>From</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>To meter</source>
        <translation>目标电表</translation>
    </message>
    <message>
        <source>Filed by</source>
        <translation>登记人</translation>
    </message>
    <message>
        <source>Reading / reason</source>
        <translation>读数 / 原因</translation>
    </message>
    <message>
        <source>Filed at</source>
        <translation>登记时间</translation>
    </message>
    <message>
        <source>Meter</source>
        <translation>电表</translation>
    </message>
    <message>
        <source>New meter</source>
        <translation>新表</translation>
    </message>
    <message>
        <source>{source}: count {count}</source>
        <translation>{source}：购电次数 {count}</translation>
    </message>
    <message>
        <source>from the form</source>
        <translation>工单数据</translation>
    </message>
    <message>
        <source>read</source>
        <translation>抄读</translation>
    </message>
    <message>
        <source>Filing…</source>
        <translation>正在提交…</translation>
    </message>
    <message>
        <source>Meter {meter} installed in {mode} mode; account opening: {way}.</source>
        <translation>电表 {meter} 已装，购电方式 {mode}；开户：{way}。</translation>
    </message>
    <message>
        <source>Meter {old} replaced by {new}; counts go on from {base}.</source>
        <translation>电表 {old} 已换为 {new}；购电次数从 {base} 继续。</translation>
    </message>
    <message>
        <source>{amount} yuan held for review as No. {id}.</source>
        <translation>{amount} 元作为第 {id} 号预收待审核。</translation>
    </message>
    <message>
        <source>Prepayment No. {id} ({amount} yuan): {state}.</source>
        <translation>第 {id} 号预收（{amount} 元）：{state}。</translation>
    </message>
    <message>
        <source>Dispatched to the meter.</source>
        <translation>已下发到电表。</translation>
    </message>
    <message>
        <source>Dispatch failed: a work order was opened.</source>
        <translation>下发失败：已生成补发工单。</translation>
    </message>
    <message>
        <source>Refund receipt {receipt}.</source>
        <translation>退款凭证 {receipt}。</translation>
    </message>
    <message>
        <source>Change filed.</source>
        <translation>变更已登记。</translation>
    </message>
    <message>
        <source>opened remotely</source>
        <translation>已远程开户</translation>
    </message>
    <message>
        <source>issue the open-account card</source>
        <translation>请制作开户卡</translation>
    </message>
    <message>
        <source>remote opening not possible, issue the open-account card</source>
        <translation>无法远程开户，请制作开户卡</translation>
    </message>
    <message>
        <source>Approving and dispatching…</source>
        <translation>正在批准并下发…</translation>
    </message>
</context>
</TS>