<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
  <context>
    <name>BackOfficeErrors</name>
    <message>
      <source>Work order {work_order_id} is {state}: cannot {step}.</source>
      <translation>工单 {work_order_id} 状态为 {state}：无法执行（{step}）。</translation>
    </message>
    <message>
      <source>There is no work order {work_order}.</source>
      <translation>不存在工单 {work_order}。</translation>
    </message>
    <message>
      <source>No meter link is configured: the purchase cannot be dispatched.</source>
      <translation>未配置电表通道：购电无法远程下发。</translation>
    </message>
    <message>
      <source>The SMS gateway did not take the message: {detail}</source>
      <translation>短信网关未接收该短信：{detail}</translation>
    </message>
    <message>
      <source>Error: {error}</source>
      <translation>错误：{error}</translation>
    </message>
    <message>
      <source>This card is blocked (too many failed key checks). Unblock it with the issuer's key (Unblock card), or re-issue it.</source>
      <translation>此卡已锁定（密钥校验失败次数过多）。请用发卡方密钥解锁（“解锁卡片”），或补卡。</translation>
    </message>
    <message>
      <source>The change was not made: {detail}</source>
      <translation>变更未执行：{detail}</translation>
    </message>
    <message>
      <source>Meter {address} cannot be read: mark it as dead and enter its final balance and purchase count from the technician&apos;s form.</source>
      <translation>电表 {address} 无法读取：请标记为故障表，按工单填写拆表剩余金额和购电次数。</translation>
    </message>
    <message>
      <source>There is no held prepayment {review}.</source>
      <translation>没有第 {review} 号待审核预收。</translation>
    </message>
  </context>
  <context>
    <name>BackOfficeWindow</name>
    <message>
      <source>Daily settlement</source>
      <translation>营业厅日结</translation>
    </message>
    <message>
      <source>Work orders</source>
      <translation>补发工单</translation>
    </message>
    <message>
      <source>Bank collection</source>
      <translation>银行代收</translation>
    </message>
    <message>
      <source>Reconciliation</source>
      <translation>对账</translation>
    </message>
    <message>
      <source>Card workbench</source>
      <translation>卡务工作台</translation>
    </message>
    <message>
      <source>SMS outbox</source>
      <translation>短信发件箱</translation>
    </message>
    <message>
      <source>Shifts and cash</source>
      <translation>班次与现金</translation>
    </message>
    <message>
      <source>Success board</source>
      <translation>成功率看板</translation>
    </message>
    <message>
      <source>Audit</source>
      <translation>审计</translation>
    </message>
    <message>
      <source>Users</source>
      <translation>用户</translation>
    </message>
    <message>
      <source>Back office — {name} ({role}) at {counter}</source>
      <translation>后台 — {name}（{role}），柜台 {counter}</translation>
    </message>
    <message>
      <source>Your role has no back-office area.</source>
      <translation>您的角色没有可用的后台功能。</translation>
    </message>
    <message>
      <source>Business changes</source>
      <translation>业务变更</translation>
    </message>
    <message>
      <source>Archive import</source>
      <translation>档案导入</translation>
    </message>
  </context>
  <context>
    <name>CardWorkbenchTab</name>
    <message>
      <source>Card workbench</source>
      <translation>卡务工作台</translation>
    </message>
    <message>
      <source>Read card (F3)</source>
      <translation>读卡 (F3)</translation>
    </message>
    <message>
      <source>Apply write-back (R13)</source>
      <translation>应用返写数据 (R13)</translation>
    </message>
    <message>
      <source>Field</source>
      <translation>字段</translation>
    </message>
    <message>
      <source>Value</source>
      <translation>值</translation>
    </message>
    <message>
      <source>Meaning</source>
      <translation>含义</translation>
    </message>
    <message>
      <source>The card against what the system expected (R12, R13)</source>
      <translation>卡片数据与系统预期对比 (R12, R13)</translation>
    </message>
    <message>
      <source>Figure</source>
      <translation>项目</translation>
    </message>
    <message>
      <source>On the card</source>
      <translation>卡上</translation>
    </message>
    <message>
      <source>System expected</source>
      <translation>系统预期</translation>
    </message>
    <message>
      <source>Agrees</source>
      <translation>一致</translation>
    </message>
    <message>
      <source>Card operations (technicians)</source>
      <translation>卡务操作（检修员）</translation>
    </message>
    <message>
      <source>Meter no. or address</source>
      <translation>表号或通信地址</translation>
    </message>
    <message>
      <source>Purchase id</source>
      <translation>购电记录号</translation>
    </message>
    <message>
      <source>Overwrite a card that is not blank</source>
      <translation>覆盖非空白卡</translation>
    </message>
    <message>
      <source>Issue open-account card (R14)</source>
      <translation>发行开户卡 (R14)</translation>
    </message>
    <message>
      <source>Re-issue lost card (R14)</source>
      <translation>补卡 (R14)</translation>
    </message>
    <message>
      <source>Clear unloaded purchase (R16)</source>
      <translation>清除未入表的购电 (R16)</translation>
    </message>
    <message>
      <source>Issue: a blank card for a new meter, count 0; with a purchase id, count 1 carrying that first purchase. Re-issue: a new card carrying the meter's last purchase again; the old card is refused afterwards. Clear: takes the purchase (purchase id) off the card before its reversal. Unblock: a card blocked by wrong keys (the counter sends the customer here) is unblocked with the issuer's key.</source>
      <translation>开户：为新表发行空白卡，购电次数 0；填写购电记录号时次数为 1，携带首次购电。补卡：新卡再次携带该表最后一次购电；此后旧卡被拒绝。清除：冲正前把该购电（按购电记录号）从卡上清除。解锁：因密钥校验错误过多而锁定的卡（柜台会把客户引导到这里）用发卡方密钥解锁。</translation>
    </message>
    <message>
      <source>No card reader is configured: the workbench cannot read cards.</source>
      <translation>未配置读卡器：工作台无法读卡。</translation>
    </message>
    <message>
      <source>open-account card (开户卡)</source>
      <translation>开户卡</translation>
    </message>
    <message>
      <source>purchase card (购电卡)</source>
      <translation>购电卡</translation>
    </message>
    <message>
      <source>re-issued card (补卡)</source>
      <translation>补卡</translation>
    </message>
    <message>
      <source>meter number</source>
      <translation>表号</translation>
    </message>
    <message>
      <source>customer number</source>
      <translation>户号</translation>
    </message>
    <message>
      <source>card serial registered for the meter</source>
      <translation>电表登记的卡序列号</translation>
    </message>
    <message>
      <source>meter's purchase count</source>
      <translation>电表购电次数</translation>
    </message>
    <message>
      <source>remaining balance</source>
      <translation>剩余金额</translation>
    </message>
    <message>
      <source>overdraft</source>
      <translation>透支金额</translation>
    </message>
    <message>
      <source>illegal card insertions</source>
      <translation>非法插卡次数</translation>
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
      <source>Reading the card…</source>
      <translation>正在读卡…</translation>
    </message>
    <message>
      <source>Card {serial}: {kind}, meter {meter}, purchase no. {count} of {amount}.</source>
      <translation>卡 {serial}：{kind}，电表 {meter}，第 {count} 次购电 {amount}。</translation>
    </message>
    <message>
      <source>The system knows no meter {meter}.</source>
      <translation>系统中没有电表 {meter}。</translation>
    </message>
    <message>
      <source>{n} difference(s) against the records: see the marked lines.</source>
      <translation>与档案有 {n} 处差异：见标红的行。</translation>
    </message>
    <message>
      <source>The card agrees with the records.</source>
      <translation>卡片与档案一致。</translation>
    </message>
    <message>
      <source>Card serial</source>
      <translation>卡序列号</translation>
    </message>
    <message>
      <source>unique number of this card (ATR); the meter and the system register it</source>
      <translation>本卡唯一编号（ATR）；电表和系统均登记此号</translation>
    </message>
    <message>
      <source>ATR</source>
      <translation>复位应答 ATR</translation>
    </message>
    <message>
      <source>the card's answer to reset</source>
      <translation>卡片的复位应答</translation>
    </message>
    <message>
      <source>Reader</source>
      <translation>读卡器</translation>
    </message>
    <message>
      <source>the PC/SC reader the card is in</source>
      <translation>卡片所在的 PC/SC 读卡器</translation>
    </message>
    <message>
      <source>Card kind</source>
      <translation>卡类型</translation>
    </message>
    <message>
      <source>open-account, purchase or re-issued card (R14)</source>
      <translation>开户卡、购电卡或补卡 (R14)</translation>
    </message>
    <message>
      <source>Meter number</source>
      <translation>表号</translation>
    </message>
    <message>
      <source>the meter this card belongs to (R12)</source>
      <translation>本卡所属电表 (R12)</translation>
    </message>
    <message>
      <source>Customer number</source>
      <translation>户号</translation>
    </message>
    <message>
      <source>the customer number held in the meter (R12)</source>
      <translation>电表内保存的户号 (R12)</translation>
    </message>
    <message>
      <source>User kind</source>
      <translation>用户类型</translation>
    </message>
    <message>
      <source>tariff kind: 1 = single rate</source>
      <translation>电价类型：1 = 单一费率</translation>
    </message>
    <message>
      <source>Update flags</source>
      <translation>参数更新标志</translation>
    </message>
    <message>
      <source>which meter parameters this card sets</source>
      <translation>本卡要设置的电表参数</translation>
    </message>
    <message>
      <source>Alarm amount 1</source>
      <translation>报警金额 1</translation>
    </message>
    <message>
      <source>the meter warns at or below this balance (R21)</source>
      <translation>剩余金额不高于此值时电表报警 (R21)</translation>
    </message>
    <message>
      <source>Alarm amount 2</source>
      <translation>报警金额 2</translation>
    </message>
    <message>
      <source>second warning level (R21)</source>
      <translation>第二级报警 (R21)</translation>
    </message>
    <message>
      <source>CT ratio</source>
      <translation>电流互感器变比</translation>
    </message>
    <message>
      <source>current transformer ratio</source>
      <translation>电流互感器变比</translation>
    </message>
    <message>
      <source>PT ratio</source>
      <translation>电压互感器变比</translation>
    </message>
    <message>
      <source>voltage transformer ratio</source>
      <translation>电压互感器变比</translation>
    </message>
    <message>
      <source>Purchase amount</source>
      <translation>购电金额</translation>
    </message>
    <message>
      <source>the purchase on the card (wallet)</source>
      <translation>卡上的购电（钱包文件）</translation>
    </message>
    <message>
      <source>Purchase count C</source>
      <translation>购电次数 C</translation>
    </message>
    <message>
      <source>the meter loads it only when its own count is C − 1 (R12)</source>
      <translation>仅当电表自身次数为 C − 1 时才充值 (R12)</translation>
    </message>
    <message>
      <source>Previous purchase pending</source>
      <translation>上次购电未入表</translation>
    </message>
    <message>
      <source>yes: the purchase on the card has not reached the meter (R12a)</source>
      <translation>是：卡上的购电尚未插入电表 (R12a)</translation>
    </message>
    <message>
      <source>Write-back cleared at count</source>
      <translation>返写清除时的次数</translation>
    </message>
    <message>
      <source>meter count noted when the counter cleared the write-back</source>
      <translation>柜台清除返写文件时记下的电表次数</translation>
    </message>
    <message>
      <source>Write-back</source>
      <translation>返写文件</translation>
    </message>
    <message>
      <source>empty</source>
      <translation>空</translation>
    </message>
    <message>
      <source>the card has not been in the meter since it was written</source>
      <translation>写卡后尚未插入电表</translation>
    </message>
    <message>
      <source>Write-back: meter</source>
      <translation>返写：表号</translation>
    </message>
    <message>
      <source>the meter that wrote back (R13)</source>
      <translation>写回数据的电表 (R13)</translation>
    </message>
    <message>
      <source>Write-back: customer</source>
      <translation>返写：户号</translation>
    </message>
    <message>
      <source>customer number in that meter</source>
      <translation>该电表内的户号</translation>
    </message>
    <message>
      <source>Write-back: remaining</source>
      <translation>返写：剩余金额</translation>
    </message>
    <message>
      <source>the meter's remaining balance</source>
      <translation>电表剩余金额</translation>
    </message>
    <message>
      <source>Write-back: count</source>
      <translation>返写：购电次数</translation>
    </message>
    <message>
      <source>the meter's purchase count M</source>
      <translation>电表购电次数 M</translation>
    </message>
    <message>
      <source>Write-back: overdraft</source>
      <translation>返写：透支金额</translation>
    </message>
    <message>
      <source>money used beyond zero balance (R21)</source>
      <translation>余额为零后透支使用的金额 (R21)</translation>
    </message>
    <message>
      <source>Write-back: illegal insertions</source>
      <translation>返写：非法插卡次数</translation>
    </message>
    <message>
      <source>cards the meter refused</source>
      <translation>电表拒绝的插卡次数</translation>
    </message>
    <message>
      <source>Write-back: time</source>
      <translation>返写：时间</translation>
    </message>
    <message>
      <source>when the meter wrote back</source>
      <translation>电表写回的时间</translation>
    </message>
    <message>
      <source>✘ differs</source>
      <translation>✘ 不一致</translation>
    </message>
    <message>
      <source>Applying the write-back to the records (R13)…</source>
      <translation>正在把返写数据记入档案 (R13)…</translation>
    </message>
    <message>
      <source>Write-back applied: {n} purchase(s) now loaded; committed count {count}.</source>
      <translation>返写已应用：{n} 笔购电已入表；已确认次数 {count}。</translation>
    </message>
    <message>
      <source>To reconcile: {flag}</source>
      <translation>待核对：{flag}</translation>
    </message>
    <message>
      <source>Enter the meter number first.</source>
      <translation>请先输入表号。</translation>
    </message>
    <message>
      <source>Issuing an open-account card for meter {meter}…</source>
      <translation>正在为电表 {meter} 发行开户卡…</translation>
    </message>
    <message>
      <source>Re-issuing the card of meter {meter}…</source>
      <translation>正在为电表 {meter} 补卡…</translation>
    </message>
    <message>
      <source>Enter the id of the purchase to clear.</source>
      <translation>请输入要清除的购电记录号。</translation>
    </message>
    <message>
      <source>Clearing purchase {id} from the card (R16)…</source>
      <translation>正在从卡上清除购电 {id} (R16)…</translation>
    </message>
    <message>
      <source>Open-account card {serial} issued: count {count}, {amount}; serial registered for the meter.</source>
      <translation>开户卡 {serial} 已发行：次数 {count}，{amount}；卡序列号已登记到电表。</translation>
    </message>
    <message>
      <source>Card {serial} re-issued carrying purchase no. {count} of {amount} again; it replaces card {old}, which the meter refuses once it has seen the new card.</source>
      <translation>补卡 {serial} 已写好，再次携带第 {count} 次购电 {amount}；它取代卡 {old}，电表读过新卡后将拒绝旧卡。</translation>
    </message>
    <message>
      <source>Purchase {id} (no. {count}, {amount}) cleared from the card: it can be reversed now (R16).</source>
      <translation>购电 {id}（第 {count} 次，{amount}）已从卡上清除：现在可以冲正 (R16)。</translation>
    </message>
    <message>
      <source>Unblock card (issuer key)</source>
      <translation>解锁卡片（发卡方密钥）</translation>
    </message>
    <message>
      <source>Unblocking the card with the issuer's key…</source>
      <translation>正在用发卡方密钥解锁卡片…</translation>
    </message>
    <message>
      <source>Card {serial} unblocked: its keys accept the counter again (purchase no. {count} of {amount} on the card).</source>
      <translation>卡片 {serial} 已解锁：其密钥重新接受柜台操作（卡上为第 {count} 次购电，{amount}）。</translation>
    </message>
  </context>
  <context>
    <name>OutboxTab</name>
    <message>
      <source>not loaded yet</source>
      <translation>暂未下发</translation>
    </message>
    <message>
      <source>queued</source>
      <translation>待发送</translation>
    </message>
    <message>
      <source>retried</source>
      <translation>重试中</translation>
    </message>
    <message>
      <source>sent</source>
      <translation>已发送</translation>
    </message>
    <message>
      <source>failed</source>
      <translation>发送失败</translation>
    </message>
    <message>
      <source>dispatch success</source>
      <translation>下发成功</translation>
    </message>
    <message>
      <source>bring your card</source>
      <translation>请带卡写卡</translation>
    </message>
    <message>
      <source>SMS outbox (R11)</source>
      <translation>短信发件箱 (R11)</translation>
    </message>
    <message>
      <source>Refresh</source>
      <translation>刷新</translation>
    </message>
    <message>
      <source>Send now</source>
      <translation>立即发送</translation>
    </message>
    <message>
      <source>Send failed message again</source>
      <translation>重发失败短信</translation>
    </message>
    <message>
      <source>All states</source>
      <translation>全部状态</translation>
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
      <source>Queued at</source>
      <translation>入队时间</translation>
    </message>
    <message>
      <source>Customer</source>
      <translation>用户</translation>
    </message>
    <message>
      <source>Phone</source>
      <translation>手机</translation>
    </message>
    <message>
      <source>Message</source>
      <translation>短信类型</translation>
    </message>
    <message>
      <source>Tries</source>
      <translation>尝试次数</translation>
    </message>
    <message>
      <source>Last error</source>
      <translation>最近错误</translation>
    </message>
    <message>
      <source>Text</source>
      <translation>内容</translation>
    </message>
    <message>
      <source>No SMS gateway is configured: messages stay queued.</source>
      <translation>未配置短信网关：短信保留在发件箱中。</translation>
    </message>
    <message>
      <source>Gateway: HTTP {url}</source>
      <translation>网关：HTTP {url}</translation>
    </message>
    <message>
      <source>Gateway: file {path} (no SMS platform configured)</source>
      <translation>网关：文件 {path}（未配置短信平台）</translation>
    </message>
    <message>
      <source>Gateway: {name}</source>
      <translation>网关：{name}</translation>
    </message>
    <message>
      <source>{state}: {n}</source>
      <translation>{state}：{n}</translation>
    </message>
    <message>
      <source>Sent {sent}; will retry {retried}; failed {failed}.</source>
      <translation>已发送 {sent} 条；待重试 {retried} 条；失败 {failed} 条。</translation>
    </message>
    <message>
      <source>Message {id} goes out again with the next sending.</source>
      <translation>短信 {id} 将在下次发送时重发。</translation>
    </message>
  </context>
  <context>
    <name>WorkOrdersTab</name>
    <message>
      <source>Re-dispatch work orders (R10)</source>
      <translation>补发工单 (R10)</translation>
    </message>
    <message>
      <source>Show closed</source>
      <translation>显示已关闭</translation>
    </message>
    <message>
      <source>Refresh</source>
      <translation>刷新</translation>
    </message>
    <message>
      <source>Take next</source>
      <translation>领取下一单</translation>
    </message>
    <message>
      <source>Retry dispatch</source>
      <translation>重新下发</translation>
    </message>
    <message>
      <source>Release</source>
      <translation>退回</translation>
    </message>
    <message>
      <source>Close as failed (SMS: bring card)</source>
      <translation>按失败关闭（短信通知带卡）</translation>
    </message>
    <message>
      <source>Note</source>
      <translation>备注</translation>
    </message>
    <message>
      <source>why the order is closed (required)</source>
      <translation>关闭原因（必填）</translation>
    </message>
    <message>
      <source>Retry steps</source>
      <translation>下发步骤</translation>
    </message>
    <message>
      <source>History of every attempt</source>
      <translation>全部尝试记录</translation>
    </message>
    <message>
      <source>Order</source>
      <translation>工单</translation>
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
      <source>Meter</source>
      <translation>电表</translation>
    </message>
    <message>
      <source>n</source>
      <translation>次数 n</translation>
    </message>
    <message>
      <source>Amount</source>
      <translation>金额</translation>
    </message>
    <message>
      <source>Age</source>
      <translation>已等待</translation>
    </message>
    <message>
      <source>Due</source>
      <translation>到期时间</translation>
    </message>
    <message>
      <source>Taken by</source>
      <translation>领取人</translation>
    </message>
    <message>
      <source>Attempts</source>
      <translation>尝试次数</translation>
    </message>
    <message>
      <source>Last result</source>
      <translation>最近结果</translation>
    </message>
    <message>
      <source>Round</source>
      <translation>轮次</translation>
    </message>
    <message>
      <source>Attempt</source>
      <translation>尝试</translation>
    </message>
    <message>
      <source>Started</source>
      <translation>开始时间</translation>
    </message>
    <message>
      <source>Result</source>
      <translation>结果</translation>
    </message>
    <message>
      <source>Balance read</source>
      <translation>读到余额</translation>
    </message>
    <message>
      <source>Count read</source>
      <translation>读到次数</translation>
    </message>
    <message>
      <source>Reason</source>
      <translation>原因</translation>
    </message>
    <message>
      <source>open</source>
      <translation>待处理</translation>
    </message>
    <message>
      <source>taken</source>
      <translation>已领取</translation>
    </message>
    <message>
      <source>closed: loaded</source>
      <translation>已关闭：已入表</translation>
    </message>
    <message>
      <source>closed: failed</source>
      <translation>已关闭：失败</translation>
    </message>
    <message>
      <source>cancelled</source>
      <translation>已撤销</translation>
    </message>
    <message>
      <source>dispatch started</source>
      <translation>开始下发</translation>
    </message>
    <message>
      <source>dispatch loaded the meter</source>
      <translation>下发成功，已入表</translation>
    </message>
    <message>
      <source>dispatch failed</source>
      <translation>下发失败</translation>
    </message>
    <message>
      <source>dispatch interrupted (unresolved, R8)</source>
      <translation>下发中断（待核实，R8）</translation>
    </message>
    <message>
      <source>meter probed (R8)</source>
      <translation>已核查电表 (R8)</translation>
    </message>
    <message>
      <source>order taken</source>
      <translation>领取工单</translation>
    </message>
    <message>
      <source>order released</source>
      <translation>退回工单</translation>
    </message>
    <message>
      <source>order closed</source>
      <translation>关闭工单</translation>
    </message>
    <message>
      <source>card write started</source>
      <translation>开始写卡</translation>
    </message>
    <message>
      <source>written to the card</source>
      <translation>已写入购电卡</translation>
    </message>
    <message>
      <source>card write abandoned</source>
      <translation>写卡已放弃</translation>
    </message>
    <message>
      <source>cleared from the card</source>
      <translation>已从卡上清除</translation>
    </message>
    <message>
      <source>{m} min</source>
      <translation>{m} 分钟</translation>
    </message>
    <message>
      <source>{h} h {m} min</source>
      <translation>{h} 小时 {m} 分钟</translation>
    </message>
    <message>
      <source>{d} days</source>
      <translation>{d} 天</translation>
    </message>
    <message>
      <source>{due} (overdue)</source>
      <translation>{due}（已超期）</translation>
    </message>
    <message>
      <source>{at}  {actor} @ {counter}: {action}</source>
      <translation>{at}  {actor} @ {counter}：{action}</translation>
    </message>
    <message>
      <source>No open order is waiting.</source>
      <translation>没有待处理的工单。</translation>
    </message>
    <message>
      <source>You took order {id}: purchase no. {count} of {amount} for meter {meter}.</source>
      <translation>您已领取工单 {id}：电表 {meter} 的第 {count} 次购电 {amount}。</translation>
    </message>
    <message>
      <source>Retrying order {id}: purchase no. {count} (the same n, R8)…</source>
      <translation>正在重新下发工单 {id}：第 {count} 次购电（次数 n 不变，R8）…</translation>
    </message>
    <message>
      <source>Attempt {attempt} of 3: {step}</source>
      <translation>第 {attempt}/3 次尝试：{step}</translation>
    </message>
    <message>
      <source>Loaded: purchase no. {count} reached the meter ({outcome}); balance {balance}. The order is closed.</source>
      <translation>已入表：第 {count} 次购电已到达电表（{outcome}）；余额 {balance}。工单已关闭。</translation>
    </message>
    <message>
      <source>Not loaded after {attempts} attempt(s): {outcome}. The order stays open for you; retry later or close it as failed.</source>
      <translation>尝试 {attempts} 次仍未入表：{outcome}。工单仍由您处理；稍后重试或按失败关闭。</translation>
    </message>
    <message>
      <source>Result not yet known (下发中): the collection system has the retry of purchase no. {count}. The order closes by itself when it loads; look again later.</source>
      <translation>下发中：采集系统已受理第 {count} 次购电的重新下发，结果稍后返回；入表后工单自动关闭，请稍后查看。</translation>
    </message>
    <message>
      <source>Order {id} is back in the queue.</source>
      <translation>工单 {id} 已退回队列。</translation>
    </message>
    <message>
      <source>Write a note: why is the order closed as failed?</source>
      <translation>请填写备注：为什么按失败关闭？</translation>
    </message>
    <message>
      <source>Order {id} closed as failed. The customer is asked by SMS to bring the card; the teller writes purchase no. {count} onto it (R12).</source>
      <translation>工单 {id} 已按失败关闭。已短信通知用户带卡到厅；柜员将第 {count} 次购电写入购电卡 (R12)。</translation>
    </message>
  </context>
<context>
    <name>AuditTab</name>
    <message>
      <source>search: person, action, receipt, meter, amount in fen…</source>
      <translation>查询：人员、操作、票据号、表号、金额（分）…</translation>
    </message>
    <message>
      <source>any person</source>
      <translation>全部人员</translation>
    </message>
    <message>
      <source>any counter</source>
      <translation>全部柜台</translation>
    </message>
    <message>
      <source>any action</source>
      <translation>全部操作</translation>
    </message>
    <message>
      <source>From</source>
      <translation>起止日期</translation>
    </message>
    <message>
      <source>Search</source>
      <translation>查询</translation>
    </message>
    <message>
      <source>When</source>
      <translation>时间</translation>
    </message>
    <message>
      <source>Who</source>
      <translation>操作人</translation>
    </message>
    <message>
      <source>Counter</source>
      <translation>柜台</translation>
    </message>
    <message>
      <source>Action</source>
      <translation>操作</translation>
    </message>
    <message>
      <source>On</source>
      <translation>对象</translation>
    </message>
    <message>
      <source>After</source>
      <translation>变更后</translation>
    </message>
    <message>
      <source>{count} records</source>
      <translation>{count} 条记录</translation>
    </message>
    <message>
      <source>Before:</source>
      <translation>变更前：</translation>
    </message>
    <message>
      <source>After:</source>
      <translation>变更后：</translation>
    </message>
  </context>
  <context>
    <name>OfficeErrors</name>
    <message>
      <source>Shift {shift_id} of {operator} at counter {counter_id} is still open: close it first.</source>
      <translation>{operator} 在柜台 {counter_id} 的班次 {shift_id} 尚未结班：请先结班。</translation>
    </message>
    <message>
      <source>Shift {shift_id} is {state}: cannot {step}.</source>
      <translation>班次 {shift_id} 状态为 {state}：不能 {step}。</translation>
    </message>
    <message>
      <source>There is no shift {shift}.</source>
      <translation>没有班次 {shift}。</translation>
    </message>
  </context>
  <context>
    <name>ShiftsTab</name>
    <message>
      <source>My shift</source>
      <translation>我的班次</translation>
    </message>
    <message>
      <source>Float (yuan)</source>
      <translation>备用金（元）</translation>
    </message>
    <message>
      <source>Open shift</source>
      <translation>开班</translation>
    </message>
    <message>
      <source>Cash in/out</source>
      <translation>现金存取</translation>
    </message>
    <message>
      <source>Cash in</source>
      <translation>现金存入</translation>
    </message>
    <message>
      <source>Cash out</source>
      <translation>现金取出</translation>
    </message>
    <message>
      <source>amount (yuan)</source>
      <translation>金额（元）</translation>
    </message>
    <message>
      <source>reason (required)</source>
      <translation>原因（必填）</translation>
    </message>
    <message>
      <source>Record</source>
      <translation>记录</translation>
    </message>
    <message>
      <source>X read (mid-shift)</source>
      <translation>班中读数（X）</translation>
    </message>
    <message>
      <source>Start blind count</source>
      <translation>开始盲点</translation>
    </message>
    <message>
      <source>Counted cash (yuan)</source>
      <translation>实点现金（元）</translation>
    </message>
    <message>
      <source>Record count</source>
      <translation>录入实点</translation>
    </message>
    <message>
      <source>Reason for short/over</source>
      <translation>长短款原因</translation>
    </message>
    <message>
      <source>Close shift (Z)</source>
      <translation>结班（Z）</translation>
    </message>
    <message>
      <source>Figure</source>
      <translation>项目</translation>
    </message>
    <message>
      <source>Yuan</source>
      <translation>元</translation>
    </message>
    <message>
      <source>Open shifts (all counters)</source>
      <translation>未结班次（全部柜台）</translation>
    </message>
    <message>
      <source>Refresh</source>
      <translation>刷新</translation>
    </message>
    <message>
      <source>Shift</source>
      <translation>班次</translation>
    </message>
    <message>
      <source>Teller</source>
      <translation>柜员</translation>
    </message>
    <message>
      <source>Counter</source>
      <translation>柜台</translation>
    </message>
    <message>
      <source>State</source>
      <translation>状态</translation>
    </message>
    <message>
      <source>Opened</source>
      <translation>开班时间</translation>
    </message>
    <message>
      <source>Float</source>
      <translation>备用金</translation>
    </message>
    <message>
      <source>Payments</source>
      <translation>收费</translation>
    </message>
    <message>
      <source>Refunds</source>
      <translation>退款</translation>
    </message>
    <message>
      <source>Expected cash</source>
      <translation>应有现金</translation>
    </message>
    <message>
      <source>No shift is open for you at this counter.</source>
      <translation>您在本柜台没有未结班次。</translation>
    </message>
    <message>
      <source>Shift {id} open since {opened}, float {float} yuan</source>
      <translation>班次 {id} 自 {opened} 开班，备用金 {float} 元</translation>
    </message>
    <message>
      <source>Shift {id} counted: close it with the Z read</source>
      <translation>班次 {id} 已盲点：请结班（Z）</translation>
    </message>
    <message>
      <source>short</source>
      <translation>短款</translation>
    </message>
    <message>
      <source>over</source>
      <translation>长款</translation>
    </message>
    <message>
      <source>exact</source>
      <translation>相符</translation>
    </message>
    <message>
      <source>Counted {counted} yuan, expected {expected} yuan: {kind} {variance} yuan</source>
      <translation>实点 {counted} 元，应有 {expected} 元：{kind} {variance} 元</translation>
    </message>
    <message>
      <source>Payments, {channel} ({count})</source>
      <translation>收费，{channel}（{count}笔）</translation>
    </message>
    <message>
      <source>Cash payments</source>
      <translation>现金收费</translation>
    </message>
    <message>
      <source>Refunds ({count})</source>
      <translation>冲正退款（{count}笔）</translation>
    </message>
    <message>
      <source>Cash in ({count})</source>
      <translation>现金存入（{count}笔）</translation>
    </message>
    <message>
      <source>Cash out ({count})</source>
      <translation>现金取出（{count}笔）</translation>
    </message>
    <message>
      <source>Counted cash</source>
      <translation>盲点现金</translation>
    </message>
    <message>
      <source>Variance</source>
      <translation>差额</translation>
    </message>
    <message>
      <source>Shift {id} opened.</source>
      <translation>班次 {id} 已开班。</translation>
    </message>
    <message>
      <source>Cash {direction} of {amount} yuan recorded.</source>
      <translation>已记录{direction} {amount} 元。</translation>
    </message>
    <message>
      <source>X read of shift {id} at {time}.</source>
      <translation>班次 {id} 于 {time} 班中读数。</translation>
    </message>
    <message>
      <source>Count the drawer and type what it holds; the expected cash is shown afterwards.</source>
      <translation>请清点钱箱并输入实点金额；应有现金在录入后显示。</translation>
    </message>
    <message>
      <source>Blind count recorded; it cannot be changed.</source>
      <translation>盲点已记录，不可更改。</translation>
    </message>
    <message>
      <source>Shift {id} closed. Summary: {path}</source>
      <translation>班次 {id} 已结班。结算单：{path}</translation>
    </message>
    <message>
      <source>open</source>
      <translation>营业中</translation>
    </message>
    <message>
      <source>counted, not closed</source>
      <translation>已盲点未结班</translation>
    </message>
    <message>
      <source>closed</source>
      <translation>已结班</translation>
    </message>
    <message>
      <source>Today every counter payment belongs to a shift.</source>
      <translation>今日所有柜台收费均已归入班次。</translation>
    </message>
    <message>
      <source>Today outside any shift: {count} counter payments/refunds (paid {paid} yuan, refunded {refunded} yuan) by {people}.</source>
      <translation>今日未归入班次：柜台收费/退款 {count} 笔（收 {paid} 元，退 {refunded} 元），操作人 {people}。</translation>
    </message>
  </context>
  <context>
    <name>SuccessBoardTab</name>
    <message>
      <source>First attempt</source>
      <translation>首次成功</translation>
    </message>
    <message>
      <source>Attempt 2 or 3</source>
      <translation>第2或3次成功</translation>
    </message>
    <message>
      <source>After work orders</source>
      <translation>工单后成功</translation>
    </message>
    <message>
      <source>Loaded by card</source>
      <translation>购电卡写入成功</translation>
    </message>
    <message>
      <source>Not loaded yet</source>
      <translation>尚未到表</translation>
    </message>
    <message>
      <source>Reversed</source>
      <translation>已冲正</translation>
    </message>
    <message>
      <source>terminal offline</source>
      <translation>终端离线</translation>
    </message>
    <message>
      <source>carrier route lost</source>
      <translation>载波路由丢失</translation>
    </message>
    <message>
      <source>meter silent</source>
      <translation>电表无应答</translation>
    </message>
    <message>
      <source>channel failure</source>
      <translation>通道故障</translation>
    </message>
    <message>
      <source>count mismatch</source>
      <translation>购电次数不符</translation>
    </message>
    <message>
      <source>security refusal</source>
      <translation>安全认证拒绝</translation>
    </message>
    <message>
      <source>hoarding limit</source>
      <translation>超囤积限额</translation>
    </message>
    <message>
      <source>timeout</source>
      <translation>超时</translation>
    </message>
    <message>
      <source>link broke (unresolved)</source>
      <translation>链路中断（未决）</translation>
    </message>
    <message>
      <source>other</source>
      <translation>其他</translation>
    </message>
    <message>
      <source>Only from</source>
      <translation>仅统计</translation>
    </message>
    <message>
      <source>Refresh</source>
      <translation>刷新</translation>
    </message>
    <message>
      <source>Export CSV</source>
      <translation>导出 CSV</translation>
    </message>
    <message>
      <source>Dispatched</source>
      <translation>已下发</translation>
    </message>
    <message>
      <source>First attempt %</source>
      <translation>首次成功 %</translation>
    </message>
    <message>
      <source>Within 3 %</source>
      <translation>三次内 %</translation>
    </message>
    <message>
      <source>After work orders %</source>
      <translation>工单后 %</translation>
    </message>
    <message>
      <source>Eventually %</source>
      <translation>最终成功 %</translation>
    </message>
    <message>
      <source>Failed dispatches</source>
      <translation>下发失败</translation>
    </message>
    <message>
      <source>Day</source>
      <translation>日期</translation>
    </message>
    <message>
      <source>Meter</source>
      <translation>电能表</translation>
    </message>
    <message>
      <source>How remote purchases reached the meter, by day</source>
      <translation>远程购电到表情况（按日）</translation>
    </message>
    <message>
      <source>Loading…</source>
      <translation>正在加载…</translation>
    </message>
    <message>
      <source>{total} remote purchases dispatched. First attempt {first}%, within 3 attempts {three}%, after work orders {after}%, eventually loaded (incl. card) {ever}%.</source>
      <translation>远程下发 {total} 笔。首次成功 {first}%，三次内 {three}%，工单后 {after}%，最终到表（含购电卡）{ever}%。</translation>
    </message>
    <message>
      <source>Failed dispatches by cause: {causes}</source>
      <translation>下发失败原因：{causes}</translation>
    </message>
    <message>
      <source>Exported to {path}</source>
      <translation>已导出到 {path}</translation>
    </message>
  </context>
  <context>
    <name>UsersTab</name>
    <message>
      <source>User</source>
      <translation>用户</translation>
    </message>
    <message>
      <source>Name</source>
      <translation>姓名</translation>
    </message>
    <message>
      <source>Role</source>
      <translation>角色</translation>
    </message>
    <message>
      <source>Active</source>
      <translation>启用</translation>
    </message>
    <message>
      <source>Since</source>
      <translation>创建日期</translation>
    </message>
    <message>
      <source>New user</source>
      <translation>新用户</translation>
    </message>
    <message>
      <source>Selected user</source>
      <translation>所选用户</translation>
    </message>
    <message>
      <source>Username</source>
      <translation>用户名</translation>
    </message>
    <message>
      <source>Full name</source>
      <translation>姓名</translation>
    </message>
    <message>
      <source>Password</source>
      <translation>密码</translation>
    </message>
    <message>
      <source>Password again</source>
      <translation>再次输入密码</translation>
    </message>
    <message>
      <source>New password (twice)</source>
      <translation>新密码（两次）</translation>
    </message>
    <message>
      <source>Create user</source>
      <translation>创建用户</translation>
    </message>
    <message>
      <source>Change role</source>
      <translation>修改角色</translation>
    </message>
    <message>
      <source>Reset password</source>
      <translation>重置密码</translation>
    </message>
    <message>
      <source>yes</source>
      <translation>是</translation>
    </message>
    <message>
      <source>no (deactivated)</source>
      <translation>否（已停用）</translation>
    </message>
    <message>
      <source>Select a user in the list.</source>
      <translation>请在列表中选择用户。</translation>
    </message>
    <message>
      <source>Deactivate</source>
      <translation>停用</translation>
    </message>
    <message>
      <source>{user} ({name}): {role}</source>
      <translation>{user}（{name}）：{role}</translation>
    </message>
    <message>
      <source>Reactivate</source>
      <translation>重新启用</translation>
    </message>
    <message>
      <source>The two passwords differ.</source>
      <translation>两次输入的密码不一致。</translation>
    </message>
    <message>
      <source>User {user} created.</source>
      <translation>已创建用户 {user}。</translation>
    </message>
    <message>
      <source>Role of {user} changed.</source>
      <translation>已修改 {user} 的角色。</translation>
    </message>
    <message>
      <source>Password of {user} reset.</source>
      <translation>已重置 {user} 的密码。</translation>
    </message>
    <message>
      <source>{user} deactivated.</source>
      <translation>已停用 {user}。</translation>
    </message>
    <message>
      <source>{user} reactivated.</source>
      <translation>已重新启用 {user}。</translation>
    </message>
  </context>
  <context>
    <name>AuditWords</name>
    <message>
      <source>refund only, the meter keeps the credit</source>
      <translation>仅退款（电表保留已充值金额）</translation>
    </message>
    <message>
      <source>payment and its purchase reversed</source>
      <translation>缴费与购电一并冲正</translation>
    </message>
    <message>
      <source>payment without a purchase</source>
      <translation>无购电的缴费</translation>
    </message>
    <message>
      <source>account closed</source>
      <translation>销户</translation>
    </message>
    <message>
      <source>account opened remotely</source>
      <translation>远程开户成功</translation>
    </message>
    <message>
      <source>remote account opening failed</source>
      <translation>远程开户失败</translation>
    </message>
    <message>
      <source>archive imported</source>
      <translation>档案导入</translation>
    </message>
    <message>
      <source>archive import batch</source>
      <translation>档案导入批次</translation>
    </message>
    <message>
      <source>supervisor authorization given</source>
      <translation>班长已授权</translation>
    </message>
    <message>
      <source>bank file imported</source>
      <translation>银行文件导入完成</translation>
    </message>
    <message>
      <source>bank file import started</source>
      <translation>开始导入银行文件</translation>
    </message>
    <message>
      <source>first administrator created</source>
      <translation>创建首个管理员</translation>
    </message>
    <message>
      <source>card write not settled</source>
      <translation>写卡结果未确认</translation>
    </message>
    <message>
      <source>handed over to the collection system</source>
      <translation>已交采集系统下发</translation>
    </message>
    <message>
      <source>collection system's result applied</source>
      <translation>已记录采集系统下发结果</translation>
    </message>
    <message>
      <source>meter moved</source>
      <translation>电表移装</translation>
    </message>
    <message>
      <source>meter replaced</source>
      <translation>变更换表</translation>
    </message>
    <message>
      <source>purchase mode changed</source>
      <translation>购电方式变更</translation>
    </message>
    <message>
      <source>new installation</source>
      <translation>业扩新装</translation>
    </message>
    <message>
      <source>offset authorized</source>
      <translation>冲抵已授权</translation>
    </message>
    <message>
      <source>prepayment approved</source>
      <translation>预收已批准</translation>
    </message>
    <message>
      <source>prepayment refunded in cash</source>
      <translation>预收退现金</translation>
    </message>
    <message>
      <source>prepayment refused</source>
      <translation>预收已拒绝</translation>
    </message>
    <message>
      <source>reconciliation applied</source>
      <translation>对账已处理</translation>
    </message>
    <message>
      <source>reconciliation prepared</source>
      <translation>对账已生成</translation>
    </message>
    <message>
      <source>reconciliation signed off</source>
      <translation>对账已签认</translation>
    </message>
    <message>
      <source>reconciliation superseded</source>
      <translation>对账已被取代</translation>
    </message>
    <message>
      <source>terminal deactivated</source>
      <translation>终端已停用</translation>
    </message>
    <message>
      <source>prepayment transferred</source>
      <translation>预收转移</translation>
    </message>
    <message>
      <source>work order opened</source>
      <translation>补发工单已生成</translation>
    </message>
    <message>
      <source>loaded into the meter</source>
      <translation>已充值到电表</translation>
    </message>
    <message>
      <source>dispatch failed</source>
      <translation>下发失败</translation>
    </message>
    <message>
      <source>cash in</source>
      <translation>现金存入</translation>
    </message>
    <message>
      <source>cash out</source>
      <translation>现金取出</translation>
    </message>
    <message>
      <source>blocked card refused</source>
      <translation>拒绝已锁定的卡</translation>
    </message>
    <message>
      <source>forged card refused</source>
      <translation>拒绝伪造卡</translation>
    </message>
    <message>
      <source>card refused: wrong keys</source>
      <translation>拒卡：密钥不符</translation>
    </message>
    <message>
      <source>card check failed</source>
      <translation>卡片校验失败</translation>
    </message>
    <message>
      <source>card write abandoned</source>
      <translation>放弃写卡</translation>
    </message>
    <message>
      <source>card write confirmed</source>
      <translation>写卡已确认</translation>
    </message>
    <message>
      <source>account locked</source>
      <translation>账号锁定</translation>
    </message>
    <message>
      <source>user activated</source>
      <translation>启用用户</translation>
    </message>
    <message>
      <source>supervisor authorization granted</source>
      <translation>主管授权通过</translation>
    </message>
    <message>
      <source>supervisor authorization refused</source>
      <translation>主管授权被拒</translation>
    </message>
    <message>
      <source>card purchase cancelled</source>
      <translation>撤销写卡购电</translation>
    </message>
    <message>
      <source>card unblocked</source>
      <translation>解锁卡</translation>
    </message>
    <message>
      <source>card write started</source>
      <translation>开始写卡</translation>
    </message>
    <message>
      <source>card written</source>
      <translation>写卡完成</translation>
    </message>
    <message>
      <source>card write-back applied</source>
      <translation>处理卡回写</translation>
    </message>
    <message>
      <source>card refused</source>
      <translation>拒绝用卡</translation>
    </message>
    <message>
      <source>card issued</source>
      <translation>发卡</translation>
    </message>
    <message>
      <source>card re-issued</source>
      <translation>补卡</translation>
    </message>
    <message>
      <source>card cleared</source>
      <translation>清卡</translation>
    </message>
    <message>
      <source>password changed</source>
      <translation>修改密码</translation>
    </message>
    <message>
      <source>role changed</source>
      <translation>修改角色</translation>
    </message>
    <message>
      <source>user created</source>
      <translation>新建用户</translation>
    </message>
    <message>
      <source>user deactivated</source>
      <translation>停用用户</translation>
    </message>
    <message>
      <source>dispatch interrupted</source>
      <translation>下发中断</translation>
    </message>
    <message>
      <source>meter probed</source>
      <translation>核查电表</translation>
    </message>
    <message>
      <source>dispatch started</source>
      <translation>开始下发</translation>
    </message>
    <message>
      <source>dispatch result</source>
      <translation>下发结果</translation>
    </message>
    <message>
      <source>bill issued</source>
      <translation>录入账单</translation>
    </message>
    <message>
      <source>password reset</source>
      <translation>重置密码</translation>
    </message>
    <message>
      <source>reversal refused</source>
      <translation>冲正被拒</translation>
    </message>
    <message>
      <source>payment reversed</source>
      <translation>缴费冲正</translation>
    </message>
    <message>
      <source>signed out</source>
      <translation>退出登录</translation>
    </message>
    <message>
      <source>session opened</source>
      <translation>开始会话</translation>
    </message>
    <message>
      <source>shift closed (Z)</source>
      <translation>结班（Z）</translation>
    </message>
    <message>
      <source>blind count recorded</source>
      <translation>登记盲点</translation>
    </message>
    <message>
      <source>shift opened</source>
      <translation>开班</translation>
    </message>
    <message>
      <source>X read</source>
      <translation>X 读数</translation>
    </message>
    <message>
      <source>cash in/out</source>
      <translation>现金存取</translation>
    </message>
    <message>
      <source>signed in</source>
      <translation>登录</translation>
    </message>
    <message>
      <source>sign-in failed</source>
      <translation>登录失败</translation>
    </message>
    <message>
      <source>SMS queued</source>
      <translation>短信入队</translation>
    </message>
    <message>
      <source>SMS queued again</source>
      <translation>短信重新入队</translation>
    </message>
    <message>
      <source>SMS sent</source>
      <translation>短信已发送</translation>
    </message>
    <message>
      <source>payment taken</source>
      <translation>收费</translation>
    </message>
    <message>
      <source>work order closed</source>
      <translation>关闭工单</translation>
    </message>
    <message>
      <source>work order released</source>
      <translation>退回工单</translation>
    </message>
    <message>
      <source>work order taken</source>
      <translation>领取工单</translation>
    </message>
    <message>
      <source>hall day settled</source>
      <translation>营业厅日结</translation>
    </message>
    <message>
      <source>action</source>
      <translation>操作</translation>
    </message>
    <message>
      <source>active</source>
      <translation>启用</translation>
    </message>
    <message>
      <source>amount</source>
      <translation>金额</translation>
    </message>
    <message>
      <source>arrears</source>
      <translation>欠费</translation>
    </message>
    <message>
      <source>meter balance</source>
      <translation>表内余额</translation>
    </message>
    <message>
      <source>card</source>
      <translation>卡</translation>
    </message>
    <message>
      <source>card serial</source>
      <translation>卡序列号</translation>
    </message>
    <message>
      <source>case</source>
      <translation>冲正类型</translation>
    </message>
    <message>
      <source>channel</source>
      <translation>缴费方式</translation>
    </message>
    <message>
      <source>code</source>
      <translation>代码</translation>
    </message>
    <message>
      <source>purchase count</source>
      <translation>购电次数</translation>
    </message>
    <message>
      <source>count</source>
      <translation>次数</translation>
    </message>
    <message>
      <source>counted cash</source>
      <translation>盲点现金</translation>
    </message>
    <message>
      <source>customer no.</source>
      <translation>户号</translation>
    </message>
    <message>
      <source>debit bill</source>
      <translation>补收账单</translation>
    </message>
    <message>
      <source>debit</source>
      <translation>补收</translation>
    </message>
    <message>
      <source>detail</source>
      <translation>详情</translation>
    </message>
    <message>
      <source>during</source>
      <translation>发生于</translation>
    </message>
    <message>
      <source>expected cash</source>
      <translation>应有现金</translation>
    </message>
    <message>
      <source>expected</source>
      <translation>应为</translation>
    </message>
    <message>
      <source>expires at</source>
      <translation>到期</translation>
    </message>
    <message>
      <source>failures</source>
      <translation>失败次数</translation>
    </message>
    <message>
      <source>to reconcile</source>
      <translation>待核对</translation>
    </message>
    <message>
      <source>float</source>
      <translation>备用金</translation>
    </message>
    <message>
      <source>from prepayment</source>
      <translation>来自预收</translation>
    </message>
    <message>
      <source>name</source>
      <translation>姓名</translation>
    </message>
    <message>
      <source>illegal insertions</source>
      <translation>非法插卡</translation>
    </message>
    <message>
      <source>issued on</source>
      <translation>开具日期</translation>
    </message>
    <message>
      <source>purchases loaded</source>
      <translation>已充值购电</translation>
    </message>
    <message>
      <source>meter count</source>
      <translation>电表数</translation>
    </message>
    <message>
      <source>minutes</source>
      <translation>分钟</translation>
    </message>
    <message>
      <source>cash movement</source>
      <translation>现金存取</translation>
    </message>
    <message>
      <source>note</source>
      <translation>备注</translation>
    </message>
    <message>
      <source>outcome</source>
      <translation>结果</translation>
    </message>
    <message>
      <source>overdraft</source>
      <translation>透支</translation>
    </message>
    <message>
      <source>paid</source>
      <translation>已缴</translation>
    </message>
    <message>
      <source>payments</source>
      <translation>收费</translation>
    </message>
    <message>
      <source>prepayment</source>
      <translation>预收</translation>
    </message>
    <message>
      <source>purchase</source>
      <translation>购电</translation>
    </message>
    <message>
      <source>purchase cancelled</source>
      <translation>购电已撤销</translation>
    </message>
    <message>
      <source>purchase state</source>
      <translation>购电状态</translation>
    </message>
    <message>
      <source>reason</source>
      <translation>原因</translation>
    </message>
    <message>
      <source>receipt no.</source>
      <translation>票据号</translation>
    </message>
    <message>
      <source>refund</source>
      <translation>退款</translation>
    </message>
    <message>
      <source>refunds</source>
      <translation>退款</translation>
    </message>
    <message>
      <source>refusal</source>
      <translation>拒绝原因</translation>
    </message>
    <message>
      <source>remaining</source>
      <translation>剩余金额</translation>
    </message>
    <message>
      <source>reopened</source>
      <translation>重新挂账</translation>
    </message>
    <message>
      <source>role</source>
      <translation>角色</translation>
    </message>
    <message>
      <source>route</source>
      <translation>处理方式</translation>
    </message>
    <message>
      <source>bills settled</source>
      <translation>已销账单</translation>
    </message>
    <message>
      <source>state</source>
      <translation>状态</translation>
    </message>
    <message>
      <source>status</source>
      <translation>状态</translation>
    </message>
    <message>
      <source>supervisor</source>
      <translation>主管</translation>
    </message>
    <message>
      <source>taken by</source>
      <translation>领取人</translation>
    </message>
    <message>
      <source>tries</source>
      <translation>尝试次数</translation>
    </message>
    <message>
      <source>until</source>
      <translation>截至</translation>
    </message>
    <message>
      <source>user</source>
      <translation>用户</translation>
    </message>
    <message>
      <source>variance</source>
      <translation>差额</translation>
    </message>
    <message>
      <source>work order</source>
      <translation>工单</translation>
    </message>
    <message>
      <source>tendered</source>
      <translation>实收</translation>
    </message>
    <message>
      <source>change</source>
      <translation>找零</translation>
    </message>
  </context>
  <context>
    <name>DailySettlementTab</name>
    <message>
      <source>Day</source>
      <translation>营业日</translation>
    </message>
    <message>
      <source>Settle the day and issue the deposit slip</source>
      <translation>日结并开具缴款单</translation>
    </message>
    <message>
      <source>Shift</source>
      <translation>班次</translation>
    </message>
    <message>
      <source>Counter</source>
      <translation>柜台</translation>
    </message>
    <message>
      <source>Teller</source>
      <translation>柜员</translation>
    </message>
    <message>
      <source>State</source>
      <translation>状态</translation>
    </message>
    <message>
      <source>Expected cash</source>
      <translation>应有现金</translation>
    </message>
    <message>
      <source>Counted</source>
      <translation>盲点现金</translation>
    </message>
    <message>
      <source>To the bank</source>
      <translation>解缴银行</translation>
    </message>
    <message>
      <source>Channel</source>
      <translation>缴费方式</translation>
    </message>
    <message>
      <source>Payments</source>
      <translation>笔数</translation>
    </message>
    <message>
      <source>Yuan</source>
      <translation>金额（元）</translation>
    </message>
    <message>
      <source>Difference</source>
      <translation>差异</translation>
    </message>
    <message>
      <source>Who</source>
      <translation>人员</translation>
    </message>
    <message>
      <source>Explanation</source>
      <translation>说明</translation>
    </message>
    <message>
      <source>Every drawer of the day is counted and closed.</source>
      <translation>当日所有钱箱均已盲点并结班。</translation>
    </message>
    <message>
      <source>{count} shift(s) still open: close them (Z) before settling the day.</source>
      <translation>尚有 {count} 个班次未结：请先结班（Z）再日结。</translation>
    </message>
    <message>
      <source>closed</source>
      <translation>已结班</translation>
    </message>
    <message>
      <source>open</source>
      <translation>未结班</translation>
    </message>
    <message>
      <source>short</source>
      <translation>短款</translation>
    </message>
    <message>
      <source>over</source>
      <translation>长款</translation>
    </message>
    <message>
      <source>shift not closed</source>
      <translation>未结班</translation>
    </message>
    <message>
      <source>taken outside any shift</source>
      <translation>班外收款</translation>
    </message>
    <message>
      <source>its cash is not counted yet</source>
      <translation>现金尚未盲点</translation>
    </message>
    <message>
      <source>receipt {receipt_no} at {time}</source>
      <translation>票据 {receipt_no}（{time}）</translation>
    </message>
    <message>
      <source>Payments {payments} yuan, reversals {refunds} yuan ({reversals}); counted {counted} yuan, floats kept {floats} yuan, difference {variance} yuan; to the bank {bank} yuan. Outside any shift: {outside}.</source>
      <translation>收费 {payments} 元，冲正退款 {refunds} 元（{reversals} 笔）；盲点 {counted} 元，留存备用金 {floats} 元，差额 {variance} 元；解缴银行 {bank} 元。班外收款：{outside} 笔。</translation>
    </message>
    <message>
      <source>Day settled. Deposit slip: {path}</source>
      <translation>已日结。缴款单：{path}</translation>
    </message>
  </context>
</TS>
